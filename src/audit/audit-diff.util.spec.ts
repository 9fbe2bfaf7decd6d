import { describe, expect, it } from '@jest/globals';
import { diffOf, isSecretKey, MASKED, maskSecrets, toJsonValue } from './audit-diff.util.js';

describe('isSecretKey', () => {
  it.each([
    'password',
    'newPassword',
    'password_hash',
    'passwordHash',
    'token',
    'csrfToken',
    'resetTokenHash',
    'secret',
    'totpSecret',
    'totpSecretEncrypted',
    'totp',
    'otp',
    'recoveryCodes',
    'recovery_code',
    'documentNumber',
    'document_number_encrypted',
    'passportNumber',
    'apiKey',
    'privateKey',
    'Authorization',
    'sessionCookie',
    'credentials',
  ])('%s is a secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    'email',
    'displayName',
    'surname',
    'phone',
    'roles',
    'sessionId',
    'totpEnabled',
    'passwordChangedAt',
    'recoveryCodesRemaining',
    'documentKind',
    'personalNumber',
    'footprint',
    'notes',
  ])('%s is not a secret', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('maskSecrets', () => {
  it('masks secrets at any depth and keeps names, booleans and nulls', () => {
    const sut = maskSecrets({
      email: 'olga.petrova@mail.ru',
      displayName: 'Ольга Петрова',
      passwordHash: '$argon2id$v=19$…',
      totpSecret: null,
      totpEnabled: true,
      mustChangePassword: false,
      documents: [{ kind: 'passport', documentNumber: '45 06 123456' }],
      nested: { api_key: 12345, recoveryCodes: ['a', 'b'] },
    });

    expect(sut).toEqual({
      email: 'olga.petrova@mail.ru',
      displayName: 'Ольга Петрова',
      passwordHash: MASKED,
      totpSecret: null,
      totpEnabled: true,
      mustChangePassword: false,
      documents: [{ kind: 'passport', documentNumber: MASKED }],
      nested: { api_key: MASKED, recoveryCodes: MASKED },
    });
  });

  it('keeps a key named __proto__ as a plain member', () => {
    const sut = maskSecrets(JSON.parse('{"__proto__": {"token": "x"}}')) as object;

    expect(Object.getPrototypeOf(sut)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(sut, '__proto__')?.value).toEqual({ token: MASKED });
  });
});

describe('diffOf', () => {
  it('keeps only changed fields, each with from and to', () => {
    const sut = diffOf(
      { status: 'received', priority: 2, tags: ['a'], owner: { id: 'u1' } },
      { status: 'gathering_information', priority: 2, tags: ['a'], owner: { id: 'u2' } },
    );

    expect(sut).toEqual({
      owner: { from: { id: 'u1' }, to: { id: 'u2' } },
      status: { from: 'received', to: 'gathering_information' },
    });
  });

  it('leaves out the side where a field is absent', () => {
    expect(diffOf(undefined, { email: 'a@b.c', note: undefined })).toEqual({
      email: { to: 'a@b.c' },
    });
    expect(diffOf({ email: 'a@b.c' }, null)).toEqual({ email: { from: 'a@b.c' } });
  });

  it('says a secret changed without saying what it was or became', () => {
    expect(diffOf({ passwordHash: 'old' }, { passwordHash: 'new' })).toEqual({
      passwordHash: { from: MASKED, to: MASKED },
    });
    expect(diffOf({ passwordHash: 'same' }, { passwordHash: 'same' })).toEqual({});
  });

  it('compares objects regardless of key order', () => {
    expect(diffOf({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } })).toEqual({});
  });

  it('records dates as ISO strings and bigints as strings', () => {
    expect(
      diffOf({}, { at: new Date('2026-05-01T10:00:00.123Z'), step: 12345678901234567890n }),
    ).toEqual({
      at: { to: '2026-05-01T10:00:00.123Z' },
      step: { to: '12345678901234567890' },
    });
  });
});

describe('toJsonValue', () => {
  it('makes text storable by PostgreSQL: no NUL, no lone surrogate', () => {
    expect(toJsonValue({ 'k\u0000': 'a\u0000b\ud800c', ok: '😀' })).toEqual({
      k: 'ab\ufffdc',
      ok: '😀',
    });
  });
});
