import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { StaffUsersService } from '../src/auth/staff-users.service.js';
import type { DomainException } from '../src/common/exceptions/domain.exception.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signIn, signedInStaff, type SignedIn } from './support/staff.js';

describe('admin API for staff accounts', () => {
  let sut: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    admin = await signedInStaff(sut, { roles: ['admin'] });
  });

  afterAll(async () => {
    await sut.close();
  });

  const write = (who: SignedIn, method: 'post' | 'patch', path: string) =>
    who.agent[method](path).set('X-CSRF-Token', who.csrf);

  it('creates an account with a temporary password that must be changed first', async () => {
    const created = await write(admin, 'post', '/api/users').send({
      email: '  Olena.Koval@Staff.Test ',
      displayName: 'Олена Коваль',
      roles: ['caseworker'],
    });

    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({
      email: 'olena.koval@staff.test',
      displayName: 'Олена Коваль',
      roles: ['caseworker'],
      active: true,
      mustChangePassword: true,
    });
    const temporary = created.body.temporaryPassword as string;
    expect(temporary).toHaveLength(16);

    const newcomer = await signIn(sut, { email: 'olena.koval@staff.test', password: temporary });
    expect(newcomer.status).toBe(200);
    expect(newcomer.body.pendingStep).toBe('password_change');
    const blocked = await newcomer.agent.get('/api/users');
    expect(blocked.status).toBe(403);
    expect(blocked.body.code).toBe('password_change_required');

    const duplicate = await write(admin, 'post', '/api/users').send({
      email: 'OLENA.KOVAL@staff.test',
      displayName: 'Someone else',
      roles: [],
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('unique_violation');
  });

  it('lists with filters and paging', async () => {
    const res = await admin.agent
      .get('/api/users')
      .query({ role: 'admin', active: 'true', pageSize: 1 });

    expect(res.status).toBe(200);
    expect(res.body.total).toBeGreaterThanOrEqual(2); // the first admin and ours
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0].roles).toContain('admin');
    expect(res.body.items[0].passwordHash).toBeUndefined();
  });

  it('changes roles with optimistic locking, and audits before and after', async () => {
    const target = await signedInStaff(sut, { roles: ['intake'] });

    const changed = await write(admin, 'patch', `/api/users/${target.user.id}/roles`).send({
      roles: ['intake', 'caseworker'],
      version: target.user.version,
    });
    const stale = await write(admin, 'patch', `/api/users/${target.user.id}/roles`).send({
      roles: ['auditor'],
      version: target.user.version,
    });

    expect(changed.status).toBe(200);
    expect(changed.body.roles).toEqual(['intake', 'caseworker']);
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      code: 'stale_version',
      currentVersion: changed.body.version,
    });
    const [event] = (await sut.app
      .get(DataSource)
      .query(
        `SELECT actor, diff FROM audit_event WHERE action = 'user.roles_change' AND entity_id = $1`,
        [target.user.id],
      )) as { actor: string; diff: Record<string, unknown> }[];
    expect(event.actor).toBe(admin.user.id);
    expect(JSON.stringify(event.diff)).toContain('caseworker');
  });

  it('deactivating ends every session; reactivating lets the user back in', async () => {
    const target = await signedInStaff(sut);

    const off = await write(admin, 'post', `/api/users/${target.user.id}/deactivate`);
    expect(off.status).toBe(200);
    expect((await target.agent.get('/api/auth/me')).status).toBe(401);
    expect(
      (await signIn(sut, { email: target.user.email, password: target.password })).status,
    ).toBe(401);

    const on = await write(admin, 'post', `/api/users/${target.user.id}/reactivate`);
    expect(on.status).toBe(200);
    expect(
      (await signIn(sut, { email: target.user.email, password: target.password })).status,
    ).toBe(200);
  });

  it('resetting a password ends sessions and forces a change at next sign-in', async () => {
    const target = await signedInStaff(sut);

    const reset = await write(admin, 'post', `/api/users/${target.user.id}/reset-password`);

    expect(reset.status).toBe(200);
    expect((await target.agent.get('/api/auth/me')).status).toBe(401);
    expect(
      (await signIn(sut, { email: target.user.email, password: target.password })).status,
    ).toBe(401);
    const fresh = await signIn(sut, {
      email: target.user.email,
      password: reset.body.temporaryPassword as string,
    });
    expect(fresh.body.pendingStep).toBe('password_change');
  });

  it('never removes the last active admin, even when two admins demote each other at once', async () => {
    const other = await signedInStaff(sut, { roles: ['admin'] });
    const db = sut.app.get(DataSource);
    // Leave exactly two active admins: ours and the other.
    await db.query(
      `UPDATE staff_user SET active = false WHERE 'admin' = ANY(roles) AND id NOT IN ($1, $2)`,
      [admin.user.id, other.user.id],
    );
    const users = sut.app.get(StaffUsersService);

    const outcomes = await Promise.allSettled([
      users.deactivate(other.user.id, { actor: admin.user.id }),
      users.changeRoles(
        admin.user.id,
        { roles: ['caseworker'], version: admin.user.version },
        { actor: other.user.id },
      ),
    ]);

    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as DomainException).code).toBe('last_admin');
    const [{ count }] = (await db.query(
      `SELECT count(*)::int AS count FROM staff_user WHERE active AND 'admin' = ANY(roles)`,
    )) as { count: number }[];
    expect(count).toBe(1);

    const survivor = outcomes[0].status === 'fulfilled' ? admin : other;
    const lastStand = await write(survivor, 'post', `/api/users/${survivor.user.id}/deactivate`);
    expect(lastStand.status).toBe(409);
    expect(lastStand.body.code).toBe('last_admin');
    await db.query(`UPDATE staff_user SET active = true, roles = '{admin}' WHERE id IN ($1, $2)`, [
      admin.user.id,
      other.user.id,
    ]);
  });

  it('refuses bad input naming each field', async () => {
    const res = await write(admin, 'post', '/api/users').send({
      email: 'not-an-email',
      displayName: 'x'.repeat(121),
      roles: ['caseworker', 'overlord'],
      isRoot: true,
    });

    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((res.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'displayName',
      'email',
      'isRoot',
      'roles',
    ]);
    const wrongTypes = await write(admin, 'post', '/api/users').send({
      email: 42,
      displayName: [],
      roles: 'admin',
    });
    expect(wrongTypes.status).toBe(400);
    expect(new Set((wrongTypes.body.errors as { field: string }[]).map((e) => e.field))).toEqual(
      new Set(['email', 'displayName', 'roles']),
    );
    const badId = await admin.agent.get('/api/users/not-a-uuid');
    expect(badId.status).toBe(400);
  });
});

describe('staff directory', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('gives every signed-in member of staff colleagues’ names and roles, and nothing more', async () => {
    const intake = await signedInStaff(sut, { roles: ['intake'] });
    const caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    await sut.app
      .get(DataSource)
      .query(`UPDATE staff_user SET display_name = 'Ірина Бондар' WHERE id = $1`, [
        caseworker.user.id,
      ]);

    const res = await intake.agent.get('/api/staff');
    const anonymous = await (
      await import('supertest')
    )
      .default(sut.app.getHttpServer())
      .get('/api/staff');

    expect(res.status).toBe(200);
    const entry = (res.body as { id: string }[]).find((e) => e.id === caseworker.user.id);
    expect(entry).toEqual({
      id: caseworker.user.id,
      displayName: 'Ірина Бондар',
      roles: ['caseworker'],
      active: true,
    });
    expect(anonymous.status).toBe(401);
  });
});
