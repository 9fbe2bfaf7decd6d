import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

// argon2id with the library's defaults (OWASP's minimum: 19 MiB, 2 passes).
@Injectable()
export class PasswordService {
  // Verified against when the account does not exist, so that an unknown email costs the same
  // time as a wrong password.
  private readonly decoy = hash(randomBytes(16).toString('hex'));

  hash(password: string): Promise<string> {
    return hash(password);
  }

  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    const target = passwordHash ?? (await this.decoy);
    const ok = await verify(target, password).catch(() => false);
    return ok && passwordHash !== undefined;
  }

  // Readable temporary passwords for resets: 16 characters, about 95 bits.
  generate(): string {
    const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    return Array.from(randomBytes(16), (b) => alphabet[b % alphabet.length]).join('');
  }
}
