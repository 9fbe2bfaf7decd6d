import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generate } from 'otplib';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { DataSource } from 'typeorm';
import { StaffUser } from '../src/auth/staff-user.entity.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { makeStaffUser, signIn, signedInStaff } from './support/staff.js';

async function auditActions(sut: TestApp, entityId: string): Promise<string[]> {
  const rows = (await sut.app
    .get(DataSource)
    .query('SELECT action FROM audit_event WHERE entity_id = $1 ORDER BY occurred_at, seq', [
      entityId,
    ])) as { action: string }[];
  return rows.map((r) => r.action);
}

function withoutRequestFields(body: Record<string, unknown>) {
  const { requestId: _r, ...rest } = body;
  return rest;
}

describe('sign-in and sessions', () => {
  let sut: TestApp;
  let http: App;

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    http = sut.app.getHttpServer() as App;
  });

  afterAll(async () => {
    await sut.close();
  });

  it('signs in with a server-side session in an httpOnly, SameSite=Strict cookie', async () => {
    const { user, password } = await makeStaffUser(sut, { roles: ['caseworker', 'intake'] });

    const res = await request(http)
      .post('/api/auth/login')
      .send({ email: user.email.toUpperCase(), password });

    expect(res.status).toBe(200);
    const cookie = (res.headers['set-cookie'] as unknown as string[])[0];
    expect(cookie).toMatch(/^hc_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain('Secure'); // NODE_ENV=test; production sets it
    expect(res.body).toMatchObject({
      user: { id: user.id, email: user.email, roles: ['caseworker', 'intake'] },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      pendingStep: null,
    });
    const me = await request(http).get('/api/auth/me').set('Cookie', cookie.split(';')[0]);
    expect(me.status).toBe(200);
    expect(me.body.user.roles).toEqual(['caseworker', 'intake']);
    expect(await auditActions(sut, user.id)).toEqual(['user.login']);
  });

  it('answers a wrong password, an unknown email and a locked account the same way', async () => {
    const { user, password } = await makeStaffUser(sut);
    const locked = await makeStaffUser(sut, { lockedUntil: new Date(Date.now() + 60_000) });

    const answers = await Promise.all([
      request(http)
        .post('/api/auth/login')
        .send({ email: user.email, password: `${password}x` }),
      request(http).post('/api/auth/login').send({ email: 'nobody@staff.test', password }),
      request(http)
        .post('/api/auth/login')
        .send({ email: locked.user.email, password: locked.password }),
    ]);

    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(withoutRequestFields(res.body)).toEqual(withoutRequestFields(answers[0].body));
    }
    expect(answers[0].body.code).toBe('invalid_credentials');
  });

  it('locks an account for a while after 5 failures in the window, and audits it', async () => {
    const { user, password } = await makeStaffUser(sut);
    for (let i = 0; i < 5; i++) {
      const res = await request(http)
        .post('/api/auth/login')
        .send({ email: user.email, password: 'wrong-password' });
      expect(res.status).toBe(401);
    }

    const refused = await request(http)
      .post('/api/auth/login')
      .send({ email: user.email, password });
    expect(refused.status).toBe(401);

    await sut.app
      .get(DataSource)
      .query(`UPDATE staff_user SET locked_until = now() - interval '1 second' WHERE id = $1`, [
        user.id,
      ]);
    const accepted = await request(http)
      .post('/api/auth/login')
      .send({ email: user.email, password });
    expect(accepted.status).toBe(200);
    expect(await auditActions(sut, user.id)).toEqual([
      ...Array(5).fill('user.login_failed'),
      'user.lockout',
      'user.login_failed',
      'user.login',
    ]);
  });

  it('logout ends the session', async () => {
    const staff = await signedInStaff(sut);

    const out = await staff.agent.post('/api/auth/logout').set('X-CSRF-Token', staff.csrf);
    const after = await staff.agent.get('/api/auth/me');

    expect(out.status).toBe(204);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('unauthorized');
    expect(await auditActions(sut, staff.user.id)).toEqual(['user.login', 'user.logout']);
  });

  it('ends a session idle too long, or past its absolute lifetime', async () => {
    const idle = await signedInStaff(sut);
    const old = await signedInStaff(sut);
    const db = sut.app.get(DataSource);

    await db.query(
      `UPDATE staff_session SET last_seen_at = now() - interval '31 minutes' WHERE user_id = $1`,
      [idle.user.id],
    );
    await db.query(
      `UPDATE staff_session SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [old.user.id],
    );

    expect((await idle.agent.get('/api/auth/me')).status).toBe(401);
    expect((await old.agent.get('/api/auth/me')).status).toBe(401);
    const [{ count }] = (await db.query(
      'SELECT count(*)::int AS count FROM staff_session WHERE user_id IN ($1, $2)',
      [idle.user.id, old.user.id],
    )) as { count: number }[];
    expect(count).toBe(0);
  });

  it('changing the password ends every session of the account and opens a fresh one', async () => {
    const first = await signedInStaff(sut);
    const second = await signIn(sut, { email: first.user.email, password: first.password });

    const res = await first.agent
      .post('/api/auth/password')
      .set('X-CSRF-Token', first.csrf)
      .send({ currentPassword: first.password, newPassword: 'a brand new passphrase' });

    expect(res.status).toBe(200);
    expect((await second.agent.get('/api/auth/me')).status).toBe(401);
    expect((await first.agent.get('/api/auth/me')).status).toBe(200);
    const relogin = await signIn(sut, {
      email: first.user.email,
      password: 'a brand new passphrase',
    });
    expect(relogin.status).toBe(200);
  });

  it('refuses a state-changing request without the CSRF token or from a foreign origin', async () => {
    const staff = await signedInStaff(sut);

    const noToken = await staff.agent.post('/api/auth/logout');
    const foreign = await staff.agent
      .post('/api/auth/logout')
      .set('X-CSRF-Token', staff.csrf)
      .set('Origin', 'https://evil.example');
    const sameOrigin = await staff.agent
      .post('/api/auth/logout')
      .set('X-CSRF-Token', staff.csrf)
      .set('Host', 'homecoming.test')
      .set('Origin', 'https://homecoming.test');

    expect(noToken.status).toBe(403);
    expect(noToken.body.code).toBe('csrf_failed');
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('csrf_failed');
    expect(sameOrigin.status).toBe(204);
  });

  it('refuses bad sign-in input with the field named', async () => {
    const res = await request(http)
      .post('/api/auth/login')
      .send({ email: 'not-an-email', password: 'x'.repeat(300), totpCode: 'abc', extra: 1 });

    expect(res.status).toBe(400);
    expect((res.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'email',
      'extra',
      'password',
      'totpCode',
    ]);
  });
});

describe('two-factor sign-in (TOTP)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await createTestApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  it('enrols, then requires the code, refuses a replayed one, and accepts each recovery code once', async () => {
    const staff = await signedInStaff(sut, { roles: ['caseworker'] });
    const enrol = await staff.agent.post('/api/auth/totp/enrol').set('X-CSRF-Token', staff.csrf);
    expect(enrol.status).toBe(200);
    const secret = enrol.body.secret as string;
    expect(enrol.body.otpauthUri).toContain('otpauth://totp/homecoming:');
    const stored = await sut.app
      .get(DataSource)
      .getRepository(StaffUser)
      .findOneByOrFail({ id: staff.user.id });
    expect(stored.totpSecretEncrypted).not.toContain(secret);

    const wrong = await staff.agent
      .post('/api/auth/totp/confirm')
      .set('X-CSRF-Token', staff.csrf)
      .send({ code: '000000' });
    expect(wrong.status).toBe(400);
    const confirmed = await staff.agent
      .post('/api/auth/totp/confirm')
      .set('X-CSRF-Token', staff.csrf)
      .send({ code: await generate({ secret }) });
    expect(confirmed.status).toBe(200);
    const codes = confirmed.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);

    const credentials = { email: staff.user.email, password: staff.password };
    const noCode = await signIn(sut, credentials);
    expect(noCode.status).toBe(401);
    expect(noCode.body.code).toBe('totp_required');

    // The confirming code's time step is spent: the same code again is a replay.
    const replay = await signIn(sut, { ...credentials, totpCode: await generate({ secret }) });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('invalid_credentials');

    const byRecovery = await request(sut.app.getHttpServer() as App)
      .post('/api/auth/login')
      .send({ ...credentials, recoveryCode: codes[0].toLowerCase() });
    expect(byRecovery.status).toBe(200);
    const again = await request(sut.app.getHttpServer() as App)
      .post('/api/auth/login')
      .send({ ...credentials, recoveryCode: codes[0] });
    expect(again.status).toBe(401);
  });

  it('lets an admin without TOTP sign in only to enrol', async () => {
    const admin = await signedInStaff(sut, { roles: ['admin'] });

    const me = await admin.agent.get('/api/auth/me');
    const users = await admin.agent.get('/api/users');

    expect(me.body.pendingStep).toBe('totp_enrolment');
    expect(users.status).toBe(403);
    expect(users.body.code).toBe('totp_enrolment_required');
  });
});

describe('per-IP rate limit on sign-in', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await createTestApp({ env: { LOGIN_RATE_LIMIT_PER_MINUTE: '3' } });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('answers 429 problem+json past the limit', async () => {
    const http = sut.app.getHttpServer() as App;
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await request(http)
        .post('/api/auth/login')
        .send({ email: 'x@staff.test', password: 'nope' });
      statuses.push(last.status);
    }

    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(last?.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(last?.body.code).toBe('too_many_requests');
  });
});
