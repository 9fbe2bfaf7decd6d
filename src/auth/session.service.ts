import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { PreparedStatement, entityColumns, toEntity } from '../database/prepared-statement.js';
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
  // Every authenticated request asks this: one prepared statement, session and user together.
  private readonly lookup: PreparedStatement;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {
    this.lookup = new PreparedStatement(
      'homecoming_session_lookup_v1',
      `SELECT ${entityColumns(dataSource, StaffSession, { alias: 's', prefix: 's' })},
         ${entityColumns(dataSource, StaffUser, { alias: 'u', prefix: 'u' })}
       FROM staff_session s JOIN staff_user u ON u.id = s.user_id
       WHERE s.token_hash = $1`,
    );
  }

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
    const [row] = await this.lookup.run(this.dataSource.manager, [hashToken(token)]);
    if (!row) return undefined;
    const session = toEntity(StaffSession, row, 's');
    const user = toEntity(StaffUser, row, 'u');
    const now = Date.now();
    const idle = now - session.lastSeenAt.getTime() > this.config.auth.sessionIdleMs;
    if (idle || session.expiresAt.getTime() <= now || !user.active) {
      await this.end(session.id);
      return undefined;
    }
    if (now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      await this.dataSource
        .getRepository(StaffSession)
        .update({ id: session.id }, { lastSeenAt: new Date(now) });
    }
    return { session, user };
  }

  async end(sessionId: string): Promise<void> {
    await this.dataSource.getRepository(StaffSession).delete({ id: sessionId });
  }

  async endAllForUserInTransaction(manager: EntityManager, userId: string): Promise<number> {
    const result = await manager.getRepository(StaffSession).delete({ userId });
    return result.affected ?? 0;
  }
}
