import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

// AES-256-GCM for secrets at rest (TOTP secrets, document numbers). The stored form is
// `v1.<iv>.<tag>.<ciphertext>` in base64url, so a key or algorithm change can be told apart later.
export class SecretBox {
  private readonly digestKey: Buffer;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.digestKey = Buffer.from(hkdfSync('sha256', key, '', 'homecoming lookup digest v1', 32));
  }

  // A keyed digest (HMAC-SHA256 under a key derived from the data key): the same value gives the
  // same digest, so that equal secrets (a document number on two cases) can be found without
  // opening them; without the key it tells nothing about the value.
  digest(value: string): string {
    return createHmac('sha256', this.digestKey).update(value).digest('hex');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || data === undefined)
      throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}
