import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { StaffSession } from './staff-session.entity.js';
import { StaffUser } from './staff-user.entity.js';

export const SESSION_COOKIE = 'hc_session';

// last_seen_at is written at most this often, so that reads do not each cost a write.
const TOUCH_INTERVAL_MS = 60_000;

export interface ResolvedSession {
  session: StaffSession;
  user: StaffUser;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

@Injectable()
export class SessionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  // In the caller's transaction, so a session exists only if the sign-in it belongs to committed.
  async createInTransaction(
    manager: EntityManager,
    user: StaffUser,
    client: { ip?: string; userAgent?: string },
  ): Promise<{ token: string; session: StaffSession }> {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const session = await manager.getRepository(StaffSession).save({
      tokenHash: hashToken(token),
      userId: user.id,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.config.auth.sessionMaxMs),
      ip: client.ip ?? null,
      userAgent: client.userAgent?.slice(0, 400) ?? null,
    });
    return { token, session };
  }

  // The live session behind a cookie value, or undefined when it is unknown, idle too long,
  // past its absolute end, or its user is deactivated. Dead sessions are deleted on sight.
  async resolve(token: string): Promise<ResolvedSession | undefined> {
    const session = await this.dataSource.getRepository(StaffSession).findOne({
      where: { tokenHash: hashToken(token) },
      relations: { user: true },
    });
    if (!session?.user) return undefined;
    const now = Date.now();
    const idle = now - session.lastSeenAt.getTime() > this.config.auth.sessionIdleMs;
    if (idle || session.expiresAt.getTime() <= now || !session.user.active) {
      await this.end(session.id);
      return undefined;
    }
    if (now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      await this.dataSource
        .getRepository(StaffSession)
        .update({ id: session.id }, { lastSeenAt: new Date(now) });
    }
    const { user, ...rest } = session;
    return { session: rest as StaffSession, user };
  }

  async end(sessionId: string): Promise<void> {
    await this.dataSource.getRepository(StaffSession).delete({ id: sessionId });
  }

  async endAllForUserInTransaction(manager: EntityManager, userId: string): Promise<number> {
    const result = await manager.getRepository(StaffSession).delete({ userId });
    return result.affected ?? 0;
  }
}
