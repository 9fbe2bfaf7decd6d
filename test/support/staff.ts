import request from 'supertest';
import type { App } from 'supertest/types.js';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PasswordService } from '../../src/auth/password.service.js';
import { StaffUser } from '../../src/auth/staff-user.entity.js';
import type { Role } from '../../src/common/decorators/access-policy.decorator.js';
import type { TestApp } from './test-app.js';

export type TestAgent = ReturnType<typeof request.agent>;

export interface SignedIn {
  agent: TestAgent;
  csrf: string;
  user: StaffUser;
  password: string;
}

// A staff user written straight to the database (no pending password change).
export async function makeStaffUser(
  sut: TestApp,
  overrides: Partial<StaffUser> & { password?: string } = {},
): Promise<{ user: StaffUser; password: string }> {
  const password = overrides.password ?? `pw-${randomBytes(9).toString('base64url')}`;
  const passwordHash = await sut.app.get(PasswordService).hash(password);
  const repo = sut.app.get(DataSource).getRepository(StaffUser);
  const { password: _ignored, ...fields } = overrides;
  const user = await repo.save(
    repo.create({
      email: `${randomBytes(5).toString('hex')}@staff.test`,
      displayName: 'Test Staff',
      roles: ['caseworker'] as Role[],
      passwordHash,
      ...fields,
    }),
  );
  return { user, password };
}

// Signs in through the API with a cookie-keeping agent; `csrf` goes in X-CSRF-Token on writes.
export async function signIn(
  sut: TestApp,
  credentials: { email: string; password: string; totpCode?: string },
): Promise<{ agent: TestAgent; csrf: string; status: number; body: Record<string, unknown> }> {
  const agent = request.agent(sut.app.getHttpServer() as App);
  const res = await agent.post('/api/auth/login').send(credentials);
  return {
    agent,
    csrf: (res.body as { csrfToken?: string }).csrfToken ?? '',
    status: res.status,
    body: res.body,
  };
}

export async function signedInStaff(
  sut: TestApp,
  overrides: Partial<StaffUser> & { password?: string } = {},
): Promise<SignedIn> {
  const { user, password } = await makeStaffUser(sut, overrides);
  const { agent, csrf, status, body } = await signIn(sut, { email: user.email, password });
  if (status !== 200) throw new Error(`sign-in failed: ${status} ${JSON.stringify(body)}`);
  return { agent, csrf, user, password };
}
