import type { AuditAction } from '../audit/audit-actions.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Role } from '../common/decorators/access-policy.decorator.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import type {
  ChangeRolesDto,
  CreateStaffUserDto,
  ListStaffUsersQuery,
  StaffUserView,
} from './dto/staff-user.dto.js';
import { PasswordService } from './password.service.js';
import { SessionService } from './session.service.js';
import { StaffUser } from './staff-user.entity.js';

// Serialises every change that could remove an admin, so two admins demoting each other at the
// same moment cannot leave the system with none.
const ADMIN_SET_LOCK = 7_200_417_010;

export function toView(user: StaffUser): StaffUserView {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    active: user.active,
    totpEnabled: user.totpEnabled,
    mustChangePassword: user.mustChangePassword,
    version: user.version,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

function auditView(user: StaffUser) {
  return {
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    active: user.active,
  };
}

@Injectable()
export class StaffUsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
  ) {}

  async list(
    query: ListStaffUsersQuery,
  ): Promise<{ items: StaffUserView[]; total: number; page: number; pageSize: number }> {
    const qb = this.dataSource.getRepository(StaffUser).createQueryBuilder('u');
    if (query.active !== undefined) qb.andWhere('u.active = :active', { active: query.active });
    if (query.role) qb.andWhere(':role = ANY(u.roles)', { role: query.role });
    if (query.q) {
      const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere('(u.email ILIKE :pattern OR u.display_name ILIKE :pattern)', { pattern });
    }
    const [users, total] = await qb
      .orderBy('u.email', 'ASC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize)
      .getManyAndCount();
    return { items: users.map(toView), total, page: query.page, pageSize: query.pageSize };
  }

  async get(id: string): Promise<StaffUserView> {
    return toView(await this.findOrFail(this.dataSource.manager, id));
  }

  // New accounts get a temporary password, shown once, to be changed at first sign-in.
  async create(
    dto: CreateStaffUserDto,
    actor: ActorContext,
  ): Promise<{ user: StaffUserView; temporaryPassword: string }> {
    const temporaryPassword = this.passwords.generate();
    const passwordHash = await this.passwords.hash(temporaryPassword);
    const user = await this.dataSource.transaction(async (manager) => {
      const created = await manager.getRepository(StaffUser).save(
        manager.getRepository(StaffUser).create({
          email: dto.email,
          displayName: dto.displayName,
          roles: dto.roles,
          passwordHash,
          mustChangePassword: true,
        }),
      );
      await this.audit.appendInTransaction(manager, {
        action: 'user.create',
        actor,
        entityType: 'staff_user',
        entityId: created.id,
        after: auditView(created),
      });
      return created;
    });
    return { user: toView(user), temporaryPassword };
  }

  async changeRoles(id: string, dto: ChangeRolesDto, actor: ActorContext): Promise<StaffUserView> {
    return this.changeUser(id, actor, 'user.roles_change', async (manager, user) => {
      if (user.version !== dto.version) {
        throw new DomainException('stale_version', 'Changed by someone else', {
          detail: `The account was changed since version ${dto.version}; reload it and try again.`,
          extensions: { currentVersion: user.version },
        });
      }
      if (user.active && user.roles.includes('admin') && !dto.roles.includes('admin')) {
        await this.assertAnotherActiveAdmin(manager, user.id);
      }
      user.roles = [...dto.roles] as Role[];
    });
  }

  async deactivate(id: string, actor: ActorContext): Promise<StaffUserView> {
    return this.changeUser(id, actor, 'user.deactivate', async (manager, user) => {
      if (user.active && user.roles.includes('admin'))
        await this.assertAnotherActiveAdmin(manager, user.id);
      user.active = false;
      await this.sessions.endAllForUserInTransaction(manager, user.id);
    });
  }

  async reactivate(id: string, actor: ActorContext): Promise<StaffUserView> {
    return this.changeUser(id, actor, 'user.reactivate', (_manager, user) => {
      user.active = true;
      return Promise.resolve();
    });
  }

  async resetPassword(
    id: string,
    actor: ActorContext,
  ): Promise<{ user: StaffUserView; temporaryPassword: string }> {
    const temporaryPassword = this.passwords.generate();
    const passwordHash = await this.passwords.hash(temporaryPassword);
    const user = await this.changeUser(
      id,
      actor,
      'user.password_reset',
      async (manager, target) => {
        target.passwordHash = passwordHash;
        target.mustChangePassword = true;
        target.failedLoginCount = 0;
        target.lockedUntil = null;
        await this.sessions.endAllForUserInTransaction(manager, target.id);
      },
    );
    return { user, temporaryPassword };
  }

  // Loads the user locked, applies the change, saves, and audits before/after — one transaction.
  private changeUser(
    id: string,
    actor: ActorContext,
    action: AuditAction,
    change: (manager: EntityManager, user: StaffUser) => Promise<void>,
  ): Promise<StaffUserView> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_SET_LOCK]);
      const user = await this.findOrFail(manager, id, true);
      const before = auditView(user);
      await change(manager, user);
      const saved = await manager.getRepository(StaffUser).save(user);
      await this.audit.appendInTransaction(manager, {
        action,
        actor,
        entityType: 'staff_user',
        entityId: user.id,
        before,
        after: auditView(saved),
      });
      return toView(saved);
    });
  }

  private async assertAnotherActiveAdmin(manager: EntityManager, exceptId: string): Promise<void> {
    const [{ count }] = (await manager.query(
      `SELECT count(*)::int AS count FROM staff_user WHERE active AND 'admin' = ANY(roles) AND id <> $1`,
      [exceptId],
    )) as { count: number }[];
    if (count === 0) {
      throw new DomainException('last_admin', 'The last active admin', {
        detail: 'This is the last active admin account; make another admin first.',
      });
    }
  }

  private async findOrFail(manager: EntityManager, id: string, lock = false): Promise<StaffUser> {
    const user = await manager.getRepository(StaffUser).findOne({
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!user)
      throw new DomainException('not_found', 'No such user', { detail: `No staff user ${id}.` });
    return user;
  }
}
