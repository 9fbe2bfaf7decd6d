import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';

export const RECOVERY_CODE_COUNT = 10;

// RFC 6238 codes (30 s steps, 6 digits) through otplib. One step of clock drift either way is
// accepted; a step once used is refused again (replay).
@Injectable()
export class TotpService {
  newSecret(): string {
    return generateSecret();
  }

  uri(secret: string, account: string): string {
    return generateURI({ issuer: 'homecoming', label: account, secret });
  }

  // The accepted time step, or undefined.
  async check(
    secret: string,
    code: string,
    lastStep: number | undefined,
  ): Promise<number | undefined> {
    if (!/^\d{6}$/.test(code)) return undefined;
    const result = await verify({
      secret,
      token: code,
      epochTolerance: 30,
      ...(lastStep !== undefined ? { afterTimeStep: lastStep } : {}),
    });
    // The functional API also covers HOTP, whose results carry no time step.
    return result.valid && 'timeStep' in result ? result.timeStep : undefined;
  }

  // Ten codes of 16 base32 characters (80 bits), shown once, grouped for reading.
  newRecoveryCodes(): string[] {
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
      const chars = Array.from(randomBytes(16), (b) => alphabet[b % 32]).join('');
      return chars.match(/.{4}/g)!.join('-');
    });
  }

  hashRecoveryCode(code: string): string {
    const normalised = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
    return createHash('sha256').update(normalised).digest('hex');
  }
}
