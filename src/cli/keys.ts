import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { systemActor } from '../common/request-context.js';
import type { SeenDocument } from '../identity/inquirer-verification.entity.js';
import { documentNumberKey } from '../identity/verification.service.js';
import { runCommand, withDatabase, type DatabaseContext } from './database-context.js';

// npm run keys:rotate   seal every secret again under DATA_ENCRYPTION_KEY (and compute the
//                       document digests again), while the app runs; see README.md, "Key rotation"
// npm run keys:status   how many secrets each key holds
const USAGE = 'usage: keys rotate | status';
const BATCH = 200;
const out = (line: string) => process.stdout.write(`${line}\n`);

// Only values that are sealed ('v1.…', 'v2.…') count: a pseudonymised traveller's number is '-'.
// Every sealed column: a text column, or the documents of a verification (sealed number and
// its digest inside a JSON array).
const COLUMNS = [
  { table: 'staff_user', column: 'totp_secret_encrypted' },
  { table: 'traveller', column: 'document_number_sealed' },
] as const;

function boxOf({ config }: DatabaseContext): SecretBox {
  const key = config.security.dataEncryptionKey;
  if (!key) throw new Error('DATA_ENCRYPTION_KEY is not set');
  return new SecretBox(key, config.security.oldDataEncryptionKeys);
}

// A batch of rows not yet under the current key, locked; rows the app holds just now are skipped
// and taken in a later pass. Re-sealing changes no report figure, so the report triggers are off.
async function inBatches(
  context: DatabaseContext,
  step: (manager: EntityManager) => Promise<number>,
  remaining: string,
  current: string,
): Promise<number> {
  let done = 0;
  for (let idle = 0; idle < 50;) {
    const changed = await context.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL homecoming.report_triggers = 'off'`);
      return step(manager);
    });
    done += changed;
    if (changed === 0) {
      const [{ n }] = (await context.dataSource.query(remaining, [current])) as { n: number }[];
      if (n === 0) break;
      idle += 1;
      await sleep(100); // a row locked by a request: again shortly
    }
  }
  return done;
}

async function rotateColumn(
  context: DatabaseContext,
  box: SecretBox,
  { table, column }: (typeof COLUMNS)[number],
): Promise<number> {
  return inBatches(
    context,
    async (manager) => {
      const rows = (await manager.query(
        `SELECT id, ${column} AS sealed FROM ${table}
       WHERE ${column} LIKE 'v_.%' AND ${column} NOT LIKE $1
       ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [`v2.${box.keyId}.%`],
      )) as { id: string; sealed: string }[];
      for (const row of rows) {
        await manager.query(`UPDATE ${table} SET ${column} = $2 WHERE id = $1`, [
          row.id,
          box.seal(box.open(row.sealed)),
        ]);
      }
      return rows.length;
    },
    `SELECT count(*)::int AS n FROM ${table} WHERE ${column} LIKE 'v_.%' AND ${column} NOT LIKE $1`,
    `v2.${box.keyId}.%`,
  );
}

async function rotateVerifications(context: DatabaseContext, box: SecretBox): Promise<number> {
  return inBatches(
    context,
    async (manager) => {
      const rows = (await manager.query(
        `SELECT id, documents FROM inquirer_verification v
       WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(v.documents) d
                     WHERE d->>'numberSealed' LIKE 'v_.%' AND d->>'numberSealed' NOT LIKE $1)
       ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [`v2.${box.keyId}.%`],
      )) as { id: string; documents: SeenDocument[] }[];
      for (const row of rows) {
        const documents = row.documents.map((d) => {
          const number = box.open(d.numberSealed);
          return {
            ...d,
            numberSealed: box.seal(number),
            numberDigest: box.digest(documentNumberKey(number)),
          };
        });
        await manager.query(`UPDATE inquirer_verification SET documents = $2 WHERE id = $1`, [
          row.id,
          JSON.stringify(documents),
        ]);
      }
      return rows.length;
    },
    `SELECT count(*)::int AS n FROM inquirer_verification v, jsonb_array_elements(v.documents) d
      WHERE d->>'numberSealed' NOT LIKE $1`,
    `v2.${box.keyId}.%`,
  );
}

// Secrets not (yet) sealed under the current key.
async function leftOver(context: DatabaseContext, box: SecretBox): Promise<number> {
  const current = `v2.${box.keyId}.%`;
  const [{ left }] = (await context.dataSource.query(
    `SELECT (SELECT count(*) FROM staff_user
               WHERE totp_secret_encrypted LIKE 'v_.%' AND totp_secret_encrypted NOT LIKE $1)
          + (SELECT count(*) FROM traveller
               WHERE document_number_sealed LIKE 'v_.%' AND document_number_sealed NOT LIKE $1)
          + (SELECT count(*) FROM inquirer_verification v, jsonb_array_elements(v.documents) d
               WHERE d->>'numberSealed' LIKE 'v_.%' AND d->>'numberSealed' NOT LIKE $1) AS left`,
    [current],
  )) as { left: string }[];
  return Number(left);
}

async function rotate(context: DatabaseContext): Promise<number> {
  const box = boxOf(context);
  const started = Date.now();
  out(`sealing every secret under key ${box.keyId} (DATA_ENCRYPTION_KEY)…`);
  const resealed: Record<string, number> = {};
  for (const column of COLUMNS) {
    resealed[column.table] = await rotateColumn(context, box, column);
    out(`  ${column.table}.${column.column}: ${resealed[column.table]} sealed again`);
  }
  resealed.inquirer_verification = await rotateVerifications(context, box);
  out(
    `  inquirer_verification.documents: ${resealed.inquirer_verification} verification(s) sealed again, digests computed again`,
  );
  const left = await leftOver(context, box);
  await new AuditService(context.dataSource).append({
    action: 'keys.rotate',
    actor: systemActor('cli'),
    entityType: 'data_key',
    entityId: box.keyId,
    after: { keyId: box.keyId, resealed, left },
  });
  out(
    `done in ${((Date.now() - started) / 1000).toFixed(1)} s; ${left} secret(s) left under other keys`,
  );
  if (left > 0) {
    out('some rows stayed locked by the app: run it again');
    return 1;
  }
  out('the old keys can now be removed from DATA_ENCRYPTION_OLD_KEYS');
  return 0;
}

async function status(context: DatabaseContext): Promise<number> {
  const box = boxOf(context);
  const rows = (await context.dataSource.query(
    `WITH sealed AS (
       SELECT totp_secret_encrypted AS s FROM staff_user WHERE totp_secret_encrypted IS NOT NULL
       UNION ALL SELECT document_number_sealed FROM traveller
       UNION ALL SELECT d->>'numberSealed' FROM inquirer_verification v,
                  jsonb_array_elements(v.documents) d)
     SELECT CASE WHEN s LIKE 'v2.%' THEN split_part(s, '.', 2) ELSE 'v1 (no key id)' END AS key,
            count(*)::int AS n
     FROM sealed WHERE s LIKE 'v_.%' GROUP BY 1 ORDER BY 1`,
  )) as { key: string; n: number }[];
  out(`current key: ${box.keyId}`);
  for (const row of rows) {
    out(`  ${row.key}: ${row.n} secret(s)${row.key === box.keyId ? ' (current)' : ''}`);
  }
  if (rows.length === 0) out('  no secrets stored');
  return 0;
}

async function main(argv: string[]): Promise<number> {
  switch (argv[0]) {
    case 'rotate':
      return withDatabase(rotate);
    case 'status':
      return withDatabase(status);
  }
  out(USAGE);
  return 2;
}

runCommand(main);
