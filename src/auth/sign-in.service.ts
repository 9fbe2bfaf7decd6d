import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { pendingStepOf, type PendingStep } from './auth-policy.js';
import { PasswordService } from './password.service.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { SessionService } from './session.service.js';
import type { StaffSession } from './staff-session.entity.js';
import { StaffUser } from './staff-user.entity.js';
import { TotpService } from './totp.service.js';

export interface SignInCommand {
  email: string;
  password: string;
  totpCode?: string;
  recoveryCode?: string;
  client: { ip?: string; userAgent?: string; requestId?: string };
}

export interface SignInResult {
  token: string;
  session: StaffSession;
  user: StaffUser;
  pendingStep?: PendingStep;
}

type FailureReason =
  'unknown_email' | 'inactive' | 'locked' | 'wrong_password' | 'wrong_second_factor';

// The same answer for every failure — unknown email, wrong password, deactivated or locked
// account — so the sign-in form tells an attacker nothing; the audit log records the real reason.
function invalidCredentials(): DomainException {
  return new DomainException('invalid_credentials', 'Sign-in failed', {
    detail: 'The email, password or code is not correct, or the account cannot sign in now.',
  });
}

@Injectable()
export class SignInService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly passwords: PasswordService,
    private readonly totp: TotpService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly secrets: SecretBox,
  ) {}

  async execute(command: SignInCommand): Promise<SignInResult> {
    const email = command.email.trim().toLowerCase();
    const user = await this.dataSource.getRepository(StaffUser).findOneBy({ email });
    // Always one argon2 verification, whatever the account's state: equal time for every answer.
    const passwordOk = await this.passwords.verify(user?.passwordHash, command.password);
    const actor: ActorContext = {
      actor: user?.id ?? 'anonymous',
      requestId: command.client.requestId,
      ip: command.client.ip,
    };

    const reason = this.firstFailure(user, passwordOk);
    if (reason) {
      await this.recordFailure({ user, email, reason, actor });
      throw invalidCredentials();
    }
    const known = user!;
    let totpStep: number | undefined;
    let recoveryCodeId: string | undefined;
    if (known.totpEnabled) {
      if (!command.totpCode && !command.recoveryCode) {
        throw new DomainException('totp_required', 'Code required', {
          detail: 'Enter the six-digit code from your authenticator app, or a recovery code.',
        });
      }
      totpStep = command.totpCode ? await this.checkTotp(known, command.totpCode) : undefined;
      recoveryCodeId =
        !command.totpCode && command.recoveryCode
          ? await this.findRecoveryCode(known, command.recoveryCode)
          : undefined;
      if (totpStep === undefined && recoveryCodeId === undefined) {
        await this.recordFailure({ user: known, email, reason: 'wrong_second_factor', actor });
        throw invalidCredentials();
      }
    }

    return this.dataSource.transaction(async (manager) => {
      if (recoveryCodeId) await this.useRecoveryCode(manager, recoveryCodeId);
      // Plain SQL: bookkeeping of sign-in must not bump the account's version (which guards
      // admins' edits) nor its updated_at.
      await manager.query(
        `UPDATE staff_user SET failed_login_count = 0, first_failed_login_at = NULL,
           locked_until = NULL, totp_last_step = coalesce($2, totp_last_step) WHERE id = $1`,
        [known.id, totpStep === undefined ? null : String(totpStep)],
      );
      const { token, session } = await this.sessions.createInTransaction(
        manager,
        known,
        command.client,
      );
      await this.audit.appendInTransaction(manager, {
        action: 'user.login',
        actor,
        entityType: 'staff_user',
        entityId: known.id,
        after: {
          sessionId: session.id,
          secondFactor: totpStep !== undefined ? 'totp' : recoveryCodeId ? 'recovery_code' : 'none',
        },
      });
      return { token, session, user: known, pendingStep: pendingStepOf(known, this.config) };
    });
  }

  private firstFailure(user: StaffUser | null, passwordOk: boolean): FailureReason | undefined {
    if (!user) return 'unknown_email';
    if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) return 'locked';
    if (!passwordOk) return 'wrong_password';
    if (!user.active) return 'inactive';
    return undefined;
  }

  private async checkTotp(user: StaffUser, code: string): Promise<number | undefined> {
    if (!user.totpSecretEncrypted) return undefined;
    const secret = this.secrets.open(user.totpSecretEncrypted);
    const lastStep = user.totpLastStep === null ? undefined : Number(user.totpLastStep);
    return this.totp.check(secret, code, lastStep);
  }

  private async findRecoveryCode(user: StaffUser, code: string): Promise<string | undefined> {
    const found = await this.dataSource.getRepository(RecoveryCode).findOneBy({
      userId: user.id,
      codeHash: this.totp.hashRecoveryCode(code),
      usedAt: IsNull(),
    });
    return found?.id;
  }

  // Conditional on still being unused: two sign-ins racing with one code cannot both succeed.
  private async useRecoveryCode(manager: EntityManager, id: string): Promise<void> {
    const result = await manager
      .getRepository(RecoveryCode)
      .update({ id, usedAt: IsNull() }, { usedAt: new Date() });
    if (result.affected !== 1) throw invalidCredentials();
  }

  // Counts failures in a window with one atomic UPDATE (safe against parallel attempts) and
  // locks the account when the count reaches the limit.
  private async recordFailure(input: {
    user: StaffUser | null;
    email: string;
    reason: FailureReason;
    actor: ActorContext;
  }): Promise<void> {
    const { user, email, reason, actor } = input;
    await this.dataSource.transaction(async (manager) => {
      let lockedNow = false;
      if (user && reason !== 'locked' && reason !== 'unknown_email') {
        const rows = (await manager.query(
          `UPDATE staff_user SET
             failed_login_count = CASE WHEN first_failed_login_at IS NULL
               OR first_failed_login_at < now() - $2 * interval '1 millisecond'
               THEN 1 ELSE failed_login_count + 1 END,
             first_failed_login_at = CASE WHEN first_failed_login_at IS NULL
               OR first_failed_login_at < now() - $2 * interval '1 millisecond'
               THEN now() ELSE first_failed_login_at END
           WHERE id = $1
           RETURNING failed_login_count`,
          [user.id, this.config.auth.lockoutMs],
        )) as [{ failed_login_count: number }[], number];
        if ((rows[0][0]?.failed_login_count ?? 0) >= this.config.auth.lockoutAttempts) {
          await manager.query(
            `UPDATE staff_user SET locked_until = now() + $2 * interval '1 millisecond',
               failed_login_count = 0, first_failed_login_at = NULL WHERE id = $1`,
            [user.id, this.config.auth.lockoutMs],
          );
          lockedNow = true;
        }
      }
      await this.audit.appendInTransaction(manager, {
        action: 'user.login_failed',
        actor,
        // Attempts on unknown emails get a stream per email rather than one shared stream, so a
        // flood of them (credential stuffing) does not queue on a single chain head.
        entityType: user ? 'staff_user' : 'unknown_account',
        entityId: user?.id ?? createHash('sha256').update(email).digest('hex').slice(0, 32),
        after: { reason, ...(user ? {} : { email }) },
      });
      if (lockedNow) {
        await this.audit.appendInTransaction(manager, {
          action: 'user.lockout',
          actor,
          entityType: 'staff_user',
          entityId: user!.id,
          after: { lockedForMinutes: Math.round(this.config.auth.lockoutMs / 60_000) },
        });
      }
    });
  }
}
