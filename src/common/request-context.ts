import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

// Who is acting, for the audit log: a staff user id, `anonymous`, or `system:<component>`.
export interface ActorContext {
  actor: string;
  requestId?: string;
  ip?: string;
}

export interface AuthenticatedStaff {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  sessionId: string;
  csrfToken: string;
}

export type HomecomingRequest = Request & { id?: string; staff?: AuthenticatedStaff };

export function actorOf(req: HomecomingRequest): ActorContext {
  return { actor: req.staff?.id ?? 'anonymous', requestId: req.id, ip: req.ip };
}

// `@Actor() actor: ActorContext` in a controller method.
export const Actor = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  actorOf(ctx.switchToHttp().getRequest<HomecomingRequest>()),
);

export function systemActor(component: string): ActorContext {
  return { actor: `system:${component}` };
}
