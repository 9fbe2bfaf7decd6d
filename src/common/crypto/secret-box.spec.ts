import { describe, expect, it } from '@jest/globals';
import { createCipheriv, randomBytes } from 'node:crypto';
import { SecretBox, keyIdOf } from './secret-box.js';

describe('SecretBox', () => {
  const sut = new SecretBox(randomBytes(32));

  it('opens what it sealed, and never stores the plaintext', () => {
    const sealed = sut.seal('JBSWY3DPEHPK3PXP');

    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(sut.seal('JBSWY3DPEHPK3PXP')).not.toBe(sealed);
    expect(sut.open(sealed)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses a tampered secret and another key', () => {
    const sealed = sut.seal('secret');
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');

    expect(() => sut.open(tampered)).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
  });

  it('names the key it sealed under; an old key still opens, an unknown one is named', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealedBefore = new SecretBox(oldKey).seal('4510 123456');
    const rotating = new SecretBox(newKey, [oldKey]);

    expect(sealedBefore.startsWith(`v2.${keyIdOf(oldKey)}.`)).toBe(true);
    expect(rotating.isCurrent(sealedBefore)).toBe(false);
    expect(rotating.open(sealedBefore)).toBe('4510 123456');
    expect(rotating.isCurrent(rotating.seal('x'))).toBe(true);
    expect(() => new SecretBox(newKey).open(sealedBefore)).toThrow(
      `sealed under key ${keyIdOf(oldKey)}, which is configured neither`,
    );
    expect(keyIdOf(newKey)).toMatch(/^[0-9a-f]{8}$/);
    expect(keyIdOf(newKey)).not.toBe(keyIdOf(oldKey));
  });

  it('opens the first release’s format (no key id) under whichever configured key fits', () => {
    const oldKey = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', oldKey, iv);
    const data = Buffer.concat([cipher.update('JBSWY3DP', 'utf8'), cipher.final()]);
    const v1 = ['v1', iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');

    expect(new SecretBox(randomBytes(32), [oldKey]).open(v1)).toBe('JBSWY3DP');
    expect(() => new SecretBox(randomBytes(32)).open(v1)).toThrow('no configured key opens');
  });
});
