import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { parse as parseCookies } from 'cookie';
import { timingSafeEqual } from 'node:crypto';
import {
  ACCESS_POLICY,
  ALLOW_PENDING_SIGN_IN,
  type AccessPolicy,
} from '../common/decorators/access-policy.decorator.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { HomecomingRequest } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { pendingStepOf } from './auth-policy.js';
import { SESSION_COOKIE, SessionService } from './session.service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

// The one gate in front of every route: deny by default, then session, CSRF, pending sign-in
// steps and roles, in that order.
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(
      ACCESS_POLICY,
      targets,
    );
    if (!policy) {
      throw new DomainException('forbidden', 'Forbidden', {
        detail: 'This route declares no access policy, so it is refused.',
      });
    }
    const req = context.switchToHttp().getRequest<HomecomingRequest>();
    const unsafe = !SAFE_METHODS.has(req.method);
    if (unsafe) this.checkOrigin(req);

    const token = parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];
    const resolved = token ? await this.sessions.resolve(token) : undefined;
    if (resolved) {
      const { user, session } = resolved;
      req.staff = {
        id: user.id,
        email: user.email,
        displayName: user.displayName,
        roles: user.roles,
        sessionId: session.id,
        csrfToken: session.csrfToken,
      };
    }
    if (policy.kind === 'public') return true;
    if (!resolved) {
      throw new DomainException('unauthorized', 'Sign-in required', {
        detail: token ? 'Your session has ended. Please sign in again.' : 'Please sign in.',
      });
    }
    if (unsafe) this.checkCsrfToken(req, resolved.session.csrfToken);

    const pending = pendingStepOf(resolved.user, this.config);
    if (pending && !this.reflector.getAllAndOverride<boolean>(ALLOW_PENDING_SIGN_IN, targets)) {
      throw pending === 'password_change'
        ? new DomainException('password_change_required', 'Password change required', {
            detail: 'Choose a new password before continuing.',
          })
        : new DomainException('totp_enrolment_required', 'Two-factor sign-in required', {
            detail: 'Your role requires two-factor sign-in: enrol an authenticator app first.',
          });
    }
    if (policy.kind === 'roles' && !resolved.user.roles.some((r) => policy.roles.includes(r))) {
      throw new DomainException('forbidden', 'Forbidden', {
        detail: `This needs one of the roles: ${policy.roles.join(', ')}.`,
      });
    }
    return true;
  }

  // A browser always sends Origin on cross-site writes: it must be us or a configured origin.
  private checkOrigin(req: HomecomingRequest): void {
    const origin = req.headers.origin;
    if (!origin) return;
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host === req.headers.host || this.config.http.corsOrigins.includes(origin)) return;
    throw new DomainException('csrf_failed', 'Cross-site request refused', {
      detail: 'The request comes from an origin that is not allowed.',
    });
  }

  private checkCsrfToken(req: HomecomingRequest, expected: string): void {
    const given = req.headers[CSRF_HEADER];
    const ok =
      typeof given === 'string' &&
      given.length === expected.length &&
      timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    if (!ok) {
      throw new DomainException('csrf_failed', 'CSRF token missing or wrong', {
        detail: `Send the token from sign-in (or GET /api/auth/me) in the ${CSRF_HEADER} header.`,
      });
    }
  }
}
