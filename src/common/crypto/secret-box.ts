import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
} from 'node:crypto';

// AES-256-GCM for secrets at rest (TOTP secrets, document numbers). The stored form is
// `v2.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts; the key id names the key it was sealed
// under, so that keys can be rotated); `v1.<iv>.<tag>.<ciphertext>`, written before key ids, is
// still read, under whichever configured key opens it.
//
// Sealing and digests use the current key (DATA_ENCRYPTION_KEY); older keys
// (DATA_ENCRYPTION_OLD_KEYS) only open, until `npm run keys:rotate` has sealed everything again.
export class SecretBox {
  readonly keyId: string;
  private readonly digestKey: Buffer;
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    private readonly key: Buffer,
    oldKeys: readonly Buffer[] = [],
  ) {
    for (const k of [key, ...oldKeys]) {
      if (k.length !== 32) throw new Error('SecretBox needs 32-byte keys');
    }
    this.keyId = keyIdOf(key);
    this.keys = new Map([key, ...oldKeys].map((k) => [keyIdOf(k), k]));
    this.digestKey = Buffer.from(hkdfSync('sha256', key, '', 'homecoming lookup digest v1', 32));
  }

  // A keyed digest (HMAC-SHA256 under a key derived from the current key): the same value gives
  // the same digest, so that equal secrets (a document number on two cases) can be found without
  // opening them; without the key it tells nothing about the value. A rotation computes them
  // again.
  digest(value: string): string {
    return createHmac('sha256', this.digestKey).update(value).digest('hex');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v2',
      this.keyId,
      ...[iv, cipher.getAuthTag(), data].map((p) => p.toString('base64url')),
    ].join('.');
  }

  // Sealed under the current key (nothing for a rotation to do).
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`v2.${this.keyId}.`);
  }

  open(sealed: string): string {
    const parts = sealed.split('.');
    if (parts[0] === 'v2' && parts.length === 5) {
      const key = this.keys.get(parts[1]);
      if (!key) {
        throw new Error(
          `sealed under key ${parts[1]}, which is configured neither as DATA_ENCRYPTION_KEY nor in DATA_ENCRYPTION_OLD_KEYS`,
        );
      }
      return decrypt(key, parts[2], parts[3], parts[4]);
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      for (const key of this.keys.values()) {
        try {
          return decrypt(key, parts[1], parts[2], parts[3]);
        } catch {
          // not this key (GCM's tag does not match): the next
        }
      }
      throw new Error('no configured key opens this secret');
    }
    throw new Error('not a sealed secret');
  }
}

// Names a key without revealing anything about it: 8 hex characters of a hash of a derived key.
export function keyIdOf(key: Buffer): string {
  const derived = Buffer.from(hkdfSync('sha256', key, '', 'homecoming key id v1', 32));
  return createHash('sha256').update(derived).digest('hex').slice(0, 8);
}

function decrypt(key: Buffer, iv: string, tag: string, data: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([
    decipher.update(Buffer.from(data, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
}
