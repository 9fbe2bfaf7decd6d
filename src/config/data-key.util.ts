import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from './app-config.js';

// With the embedded database (development), the data encryption key lives beside its data
// directory, created on first start, so `npm start` needs no set-up. With DATABASE_URL the key
// must come from the environment (the config refuses to start without it).
export async function withDataKey(config: AppConfig): Promise<AppConfig> {
  if (config.security.dataEncryptionKey) return config;
  const file = `${path.resolve(config.database.embedded.dir)}.data-key`;
  if (!existsSync(file)) {
    // On a fresh clone nothing exists yet, not even var/.
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return { ...config, security: { ...config.security, dataEncryptionKey: key } };
}
