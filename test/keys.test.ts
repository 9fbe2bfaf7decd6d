import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCipheriv, randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import { DataSource } from 'typeorm';
import { SecretBox, keyIdOf } from '../src/common/crypto/secret-box.js';
import { documentNumberKey } from '../src/identity/verification.service.js';
import { runCli } from './support/cli.js';
import { caseWithIdentitySettled, importThePrisoner } from './support/identity.js';
import { signIn, signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// `npm run keys:rotate` while the app runs: a replica on the old key and one on the new key
// (with the old one to open) share the database; the rotation seals every secret again under the
// new key and computes the document digests again; afterwards the new key alone opens everything.
const K1 = randomBytes(32);
const K2 = randomBytes(32);
const b64 = (k: Buffer) => k.toString('base64');

// What the first release wrote: `v1.<iv>.<tag>.<ciphertext>`, no key id.
function sealV1(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

describe('key rotation', () => {
  let oldApp: TestApp;
  let newApp: TestApp | undefined;
  let caseworker: SignedIn;
  let supervisor: SignedIn;
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    oldApp.app.get(DataSource).query(text, params) as Promise<T[]>;

  beforeAll(async () => {
    oldApp = await createTestApp({
      env: { TOTP_REQUIRED_ROLES: 'none', DATA_ENCRYPTION_KEY: b64(K1) },
    });
    caseworker = await signedInStaff(oldApp, { roles: ['caseworker'] });
    supervisor = await signedInStaff(oldApp, { roles: ['supervisor'] });
  });

  afterAll(async () => {
    await newApp?.close();
    await oldApp.close();
  });

  it('seals every secret again under the new key while both replicas serve, and the old key can go', async () => {
    // Under the old key: two verifications of the same document, a journey's travellers, a TOTP
    // enrolment, and one traveller's number in the first release's format.
    const prisonerId = await importThePrisoner(supervisor, 'AB-4000001');
    const first = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
    await caseWithIdentitySettled(caseworker, supervisor, prisonerId, 'detention_confirmed');
    const plan = await caseworker.agent
      .put(`/api/inquiries/${first}/travel-plan`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({
        version: 0,
        originCity: 'Тамбов',
        originCountry: 'RU',
        travellers: [
          {
            isInquirer: true,
            fullName: 'Петрова Ольга',
            documentKind: 'passport',
            documentNumber: '75 1234567',
          },
          {
            isInquirer: false,
            fullName: 'Петров Сергей',
            relationship: 'father',
            documentKind: 'passport',
            documentNumber: '75 7654321',
          },
        ],
      });
    expect(plan.status).toBe(200);
    await sql(`UPDATE traveller SET document_number_sealed = $1 WHERE document_last4 = '4321'`, [
      sealV1(K1, '75 7654321'),
    ]);
    const enrolling = await signedInStaff(oldApp, { roles: ['caseworker'] });
    const enrolled = await enrolling.agent
      .post('/api/auth/totp/enrol')
      .set('X-CSRF-Token', enrolling.csrf);
    expect(enrolled.status).toBe(200);
    const totpSecret = (enrolled.body as { secret: string }).secret;

    // Step 1 of the README: replicas on the new key, the old one kept to open. The old replica
    // still runs beside it.
    newApp = await createTestApp({
      database: oldApp.database,
      env: {
        TOTP_REQUIRED_ROLES: 'none',
        DATA_ENCRYPTION_KEY: b64(K2),
        DATA_ENCRYPTION_OLD_KEYS: b64(K1),
      },
    });
    const onNew = await signedInStaff(newApp, { roles: ['caseworker'] });
    const env = {
      DATABASE_URL: oldApp.database.url,
      DATA_ENCRYPTION_KEY: b64(K2),
      DATA_ENCRYPTION_OLD_KEYS: b64(K1),
    };
    const before = await runCli('keys', ['status'], env);
    expect(before.stdout).toContain(`current key: ${keyIdOf(K2)}`);
    // Two documents, a traveller and the TOTP secret; the other traveller in the old format.
    expect(before.stdout).toContain(`${keyIdOf(K1)}: 4 secret(s)`);
    expect(before.stdout).toContain('v1 (no key id): 1 secret(s)');

    // The rotation, with requests reading the sealed values on the new replica meanwhile.
    let reading = true;
    const reads: number[] = [];
    const reader = (async () => {
      while (reading) {
        reads.push((await onNew.agent.get(`/api/inquiries/${first}/travel-plan`)).status);
        reads.push((await onNew.agent.get(`/api/inquiries/${first}/signals`)).status);
      }
    })();
    const rotated = await runCli('keys', ['rotate'], env);
    reading = false;
    await reader;
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain('0 secret(s) left under other keys');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((s) => s === 200)).toBe(true);

    // Everything under the new key now; the new key alone opens it all, digests agree.
    const alone = new SecretBox(K2);
    const travellers = await sql<{ sealed: string }>(
      `SELECT document_number_sealed AS sealed FROM traveller ORDER BY document_last4`,
    );
    expect(travellers.map((t) => alone.open(t.sealed)).sort()).toEqual([
      '75 1234567',
      '75 7654321',
    ]);
    const documents = await sql<{ sealed: string; digest: string }>(
      `SELECT d->>'numberSealed' AS sealed, d->>'numberDigest' AS digest
       FROM inquirer_verification v, jsonb_array_elements(v.documents) d`,
    );
    expect(documents).toHaveLength(2);
    for (const d of documents) {
      expect(alone.isCurrent(d.sealed)).toBe(true);
      expect(d.digest).toBe(alone.digest(documentNumberKey(alone.open(d.sealed))));
    }
    const [staff] = await sql<{ sealed: string }>(
      `SELECT totp_secret_encrypted AS sealed FROM staff_user WHERE totp_secret_encrypted IS NOT NULL`,
    );
    expect(alone.open(staff.sealed)).toBe(totpSecret);

    // The enrolment begun on the old key is confirmed on the new replica.
    const again = await signIn(newApp, {
      email: enrolling.user.email,
      password: enrolling.password,
    });
    const confirmed = await again.agent
      .post('/api/auth/totp/confirm')
      .set('X-CSRF-Token', again.csrf)
      .send({ code: await generate({ secret: totpSecret }) });
    expect(confirmed.status).toBe(200);

    // Recorded, without a value; the status shows one key.
    const [event] = await sql<{ diff: Record<string, unknown> }>(
      `SELECT diff FROM audit_event WHERE action = 'keys.rotate'`,
    );
    expect(JSON.stringify(event.diff)).toContain(keyIdOf(K2));
    expect(JSON.stringify(event.diff)).not.toMatch(/1234567|7654321|4510/);
    const after = await runCli('keys', ['status'], { ...env, DATA_ENCRYPTION_OLD_KEYS: '' });
    expect(after.stdout).toContain(`${keyIdOf(K2)}: 5 secret(s) (current)`);
    expect(after.stdout).not.toContain(keyIdOf(K1));

    // A pseudonymised case's traveller keeps no sealed number ('-'): nothing to rotate there.
    await sql(`UPDATE traveller SET document_number_sealed = '-' WHERE document_last4 = '4321'`);
    const rerun = await runCli('keys', ['rotate'], env);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('0 secret(s) left under other keys');
  });
});
