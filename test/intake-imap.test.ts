import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { spawnApp, type AppProcess } from './support/app-process.js';
import { expectCyrillicDecoded, FIXTURES } from './support/cyrillic-fixtures.js';
import { expectFixtureOutcome, FIXTURE_TOTALS } from './support/fixture-outcomes.js';
import { dovecotProgram, startDovecot, type Dovecot } from './support/dovecot.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const SUITE = 'mail intake (IMAP, against Dovecot)';

// What an IMAP server gives back: CRLF line ends.
const crlf = (raw: Buffer) =>
  Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
const sha = (raw: Buffer) => createHash('sha256').update(raw).digest('hex');

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function firstLetter(n: number, tag: string): Buffer {
  return Buffer.from(
    [
      `From: =?UTF-8?B?${Buffer.from(`Мама ${n}`).toString('base64')}?= <mother.${tag}.${n}@mail.test>`,
      'To: cases@homecoming.test',
      `Subject: =?UTF-8?B?${Buffer.from(`Ищу сына ${n}`).toString('base64')}?=`,
      `Message-ID: <${tag}-${n}@mail.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      `Здравствуйте! Ищу сына, письмо ${n}.`,
      '',
    ].join('\r\n'),
  );
}

if (!dovecotProgram.path) {
  dovecotProgram.reportMissing(SUITE, 'apt-get install -y dovecot-imapd');
} else {
  // The IMAP door end to end: the real app as its own process, reading a real Dovecot mailbox.
  describe(SUITE, () => {
    let dovecot: Dovecot;
    let database: TestDatabase;
    let db: pg.Pool;
    let mailDir: string;
    const running: AppProcess[] = [];
    const fixtures = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.eml'))
      .sort();

    const sql = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
      (await db.query(text, params)).rows as T[];
    const count = async (where: string, params: unknown[] = []) =>
      (
        await sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM inbound_email WHERE ${where}`,
          params,
        )
      )[0].n;

    // One key and one first admin for every process of the suite: they share the database.
    const key = randomBytes(32).toString('base64');
    const adminPassword = `first-${randomBytes(12).toString('base64url')}`;
    const env = () => ({
      DATABASE_URL: database.url,
      DATA_ENCRYPTION_KEY: key,
      ADMIN_EMAIL: 'admin@staff.test',
      ADMIN_PASSWORD: adminPassword,
      MAIL_FROM: 'homecoming <cases@homecoming.test>',
      MAIL_DIR: mailDir,
      IMAP_HOST: dovecot.host,
      IMAP_PORT: String(dovecot.port),
      IMAP_TLS: 'none',
      IMAP_USER: dovecot.user,
      IMAP_PASSWORD: dovecot.password,
      IMAP_MAILBOXES: 'INBOX,Families',
      IMAP_POLL_INTERVAL_MS: '1000',
      IMAP_LEASE_SECONDS: '5',
      // Above every fixture (the largest is 240 KB), below the oversized letter's 600 KB.
      INTAKE_MAX_BYTES: String(512 * 1024),
    });
    const start = async () => {
      const app = spawnApp(env());
      running.push(app);
      const url = await app.listening;
      return { app, url };
    };
    const stop = async (app: AppProcess, signal: NodeJS.Signals = 'SIGTERM') => {
      app.child.kill(signal);
      await app.exited;
    };
    const ready = async (url: string) => {
      const res = await fetch(`${url}/health/ready`);
      const body = (await res.json()) as {
        details: {
          imap?: {
            mailboxes: {
              mailbox: string;
              state: string;
              holder: boolean;
              lastError: string | null;
            }[];
          };
        };
      };
      return body.details.imap?.mailboxes ?? [];
    };

    beforeAll(async () => {
      dovecot = await startDovecot();
      database = await createTestDatabase();
      db = new pg.Pool({ connectionString: database.url, max: 2 });
      mailDir = mkdtempSync(path.join(os.tmpdir(), 'homecoming-imap-mail-'));
    }, 60_000);

    afterAll(async () => {
      for (const app of running) if (app.child.exitCode === null) await stop(app, 'SIGKILL');
      await db?.end();
      await database?.drop();
      await dovecot?.remove();
      rmSync(mailDir, { recursive: true, force: true });
    }, 60_000);

    it('takes every real-world fixture from the mailbox to its one expected outcome (as the webhook does), and moves it to Processed', async () => {
      const raws = fixtures.map((f) => readFileSync(path.join(FIXTURES, f)));
      await dovecot.appendMany('INBOX', raws);
      const distinct = new Set(raws.map((r) => sha(crlf(r)))).size;
      const { app } = await start();

      await waitFor(
        'every fixture decided',
        async () => (await count(`source = 'imap:INBOX' AND outcome <> 'received'`)) >= distinct,
      );
      await waitFor('INBOX emptied', async () => (await dovecot.list('INBOX')).length === 0);

      // Read in UID order, which is name order: each joins the same case as through the webhook.
      const caseOf = new Map<string, string>();
      for (const [index, file] of fixtures.entries()) {
        const [{ id }] = await sql<{ id: string }>(
          `SELECT id FROM inbound_email WHERE sha256 = $1`,
          [sha(crlf(raws[index]))],
        );
        await expectFixtureOutcome(sql, file, id, caseOf);
      }
      const rows = await sql<{ outcome: string; n: number }>(
        `SELECT outcome, count(*)::int AS n FROM inbound_email GROUP BY outcome ORDER BY outcome`,
      );
      expect([distinct, rows]).toEqual([raws.length, FIXTURE_TOTALS]);
      const processed = await dovecot.list('Processed');
      expect(processed).toHaveLength(raws.length);
      expect(processed.every((m) => m.flags.includes('\\Seen'))).toBe(true);
      await expectCyrillicDecoded(sql);
      const [state] = await sql<{ last_uid: string; uid_validity: string | null }>(
        `SELECT last_uid::text, uid_validity::text FROM imap_mailbox WHERE mailbox LIKE '%/INBOX'`,
      );
      expect(Number(state.last_uid)).toBe(raws.length);
      expect(state.uid_validity).not.toBeNull();
      await stop(app);
    }, 120_000);

    it('restarted, reads only what is new; the same message again creates nothing', async () => {
      const before = await count('true');
      const inquiries = (await sql<{ n: number }>('SELECT count(*)::int AS n FROM inquiry'))[0].n;
      // Already taken once: the same bytes again.
      await dovecot.append('INBOX', readFileSync(path.join(FIXTURES, fixtures[0])));
      await dovecot.append('INBOX', firstLetter(1, 'restart'));
      const { app } = await start();
      await waitFor(
        'the new letter',
        async () =>
          (await count(`from_address = 'mother.restart.1@mail.test' AND outcome = 'opened'`)) === 1,
      );
      await waitFor('INBOX emptied', async () => (await dovecot.list('INBOX')).length === 0);
      expect(await count('true')).toBe(before + 1);
      const after = (await sql<{ n: number }>('SELECT count(*)::int AS n FROM inquiry'))[0].n;
      expect(after).toBe(inquiries + 1);
      await stop(app);
    }, 60_000);

    it('shows each folder in /health/ready, retries a lost connection, and carries on', async () => {
      const { app, url } = await start();
      const inbox = () => ready(url).then((m) => m.find((f) => f.mailbox === 'INBOX'));
      await waitFor('INBOX read', async () => (await inbox())?.state === 'waiting');
      expect(await ready(url)).toHaveLength(2);
      expect(await inbox()).toMatchObject({ holder: true, lastError: null });

      await dovecot.stop();
      const down = await waitFor('the loss to show', async () => {
        const status = await inbox();
        return status?.state === 'retrying' ? status : undefined;
      });
      expect(down.lastError).toBeTruthy();
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);

      await dovecot.start();
      await dovecot.append('INBOX', firstLetter(1, 'after-outage'));
      await waitFor(
        'the letter sent during the outage',
        async () => (await count(`from_address = 'mother.after-outage.1@mail.test'`)) === 1,
        90_000,
      );
      await waitFor('reading again', async () => (await inbox())?.state === 'waiting');
      await stop(app);
    }, 120_000);

    it('with two replicas, one reads and the other stands by, then takes over; nothing is read twice', async () => {
      const first = await start();
      const second = await start();
      const holders = async () =>
        (await Promise.all([ready(first.url), ready(second.url)])).map(
          (m) => m.find((f) => f.mailbox === 'INBOX')?.holder,
        );
      await waitFor('one holder', async () => {
        const h = await holders();
        return h.filter(Boolean).length === 1 && h.length === 2;
      });
      await dovecot.appendMany(
        'INBOX',
        [1, 2, 3, 4, 5].map((n) => firstLetter(n, 'replicas')),
      );
      await waitFor(
        'five letters',
        async () => (await count(`from_address LIKE 'mother.replicas.%'`)) === 5,
      );
      const [holder, standby] = (await holders())[0] ? [first, second] : [second, first];
      await stop(holder.app);
      await dovecot.append('INBOX', firstLetter(6, 'replicas'));
      await waitFor(
        'the other replica to take over',
        async () => (await count(`from_address LIKE 'mother.replicas.%'`)) === 6,
        60_000,
      );
      expect((await ready(standby.url)).find((f) => f.mailbox === 'INBOX')?.holder).toBe(true);
      const [{ n }] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM inquirer WHERE emails[1] LIKE 'mother.replicas.%'`,
      );
      expect(n).toBe(6);
      await stop(standby.app);
    }, 120_000);

    it('killed in the middle of a batch and restarted, loses nothing and takes nothing twice', async () => {
      const total = 400;
      await dovecot.appendMany(
        'INBOX',
        Array.from({ length: total }, (_, n) => firstLetter(n, 'killed')),
      );
      const killed = await start();
      const taken = () => count(`from_address LIKE 'mother.killed.%'`);
      const atKill = await waitFor('a part of the batch', async () => {
        const n = await taken();
        return n >= 20 ? n : undefined;
      });
      killed.app.child.kill('SIGKILL');
      await killed.app.exited;
      expect(atKill).toBeLessThan(total);

      const restarted = await start();
      await waitFor('the whole batch', async () => (await taken()) === total, 90_000);
      await waitFor('INBOX emptied', async () => (await dovecot.list('INBOX')).length === 0);
      const [{ inquirers, received }] = await sql<{ inquirers: number; received: number }>(
        `SELECT (SELECT count(*)::int FROM inquirer WHERE emails[1] LIKE 'mother.killed.%') AS inquirers,
           (SELECT count(*)::int FROM inbound_email WHERE outcome = 'received') AS received`,
      );
      expect({ inquirers, received }).toEqual({ inquirers: total, received: 0 });
      await stop(restarted.app);
    }, 180_000);

    it('reads a folder again from the start when its UIDVALIDITY changes, taking only what is new', async () => {
      const { app } = await start();
      await dovecot.append('Families', firstLetter(1, 'families'));
      await waitFor(
        'the first letter',
        async () => (await count(`from_address = 'mother.families.1@mail.test'`)) === 1,
      );
      const validity = async () =>
        (
          await sql<{ uid_validity: string }>(
            `SELECT uid_validity::text FROM imap_mailbox WHERE mailbox LIKE '%/Families'`,
          )
        )[0]?.uid_validity;
      const before = await validity();
      await waitFor('Families emptied', async () => (await dovecot.list('Families')).length === 0);

      await dovecot.deleteFolder('Families');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await dovecot.appendMany('Families', [
        firstLetter(1, 'families'),
        firstLetter(2, 'families'),
      ]);
      await waitFor(
        'the second letter',
        async () => (await count(`from_address = 'mother.families.2@mail.test'`)) === 1,
        60_000,
      );
      await waitFor('Families emptied', async () => (await dovecot.list('Families')).length === 0);
      expect(await validity()).not.toBe(before);
      expect(await count(`from_address = 'mother.families.1@mail.test'`)).toBe(1);
      await stop(app);
    }, 120_000);

    it('quarantines a message over INTAKE_MAX_BYTES unfetched: its sender, subject, whole size and where it is', async () => {
      const photo = randomBytes(450 * 1024)
        .toString('base64')
        .replace(/.{76}/g, '$&\r\n');
      const big = Buffer.from(
        [
          `From: =?UTF-8?B?${Buffer.from('Оксана').toString('base64')}?= <oksana.big@mail.test>`,
          'To: cases@homecoming.test',
          `Subject: =?UTF-8?B?${Buffer.from('Фото сина').toString('base64')}?=`,
          'Message-ID: <big-1@mail.test>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="b"',
          '',
          '--b',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Надсилаю фото сина.',
          '--b',
          'Content-Type: image/jpeg; name="syn.jpg"',
          'Content-Transfer-Encoding: base64',
          '',
          photo,
          '--b--',
          '',
        ].join('\r\n'),
      );
      await dovecot.append('INBOX', big);
      const [{ uid }] = await dovecot.list('INBOX');
      const { app } = await start();
      const row = await waitFor('the quarantine', async () => {
        const [found] = await sql<{
          outcome: string;
          from_address: string;
          subject: string;
          size_bytes: number;
          reason: string;
          stored: number;
        }>(
          `SELECT outcome, from_address, subject, size_bytes, reason, octet_length(raw) AS stored
           FROM inbound_email WHERE from_address = 'oksana.big@mail.test'`,
        );
        return found;
      });
      await waitFor('INBOX emptied', async () => (await dovecot.list('INBOX')).length === 0);
      const [processed] = (await dovecot.list('Processed')).slice(-1);
      expect(row).toEqual({
        outcome: 'quarantined',
        from_address: 'oksana.big@mail.test',
        subject: 'Фото сина',
        size_bytes: big.length,
        reason:
          `larger than INTAKE_MAX_BYTES (${big.length} bytes): not fetched; the message is on ` +
          `the IMAP server in Processed (it was UID ${uid} of INBOX)`,
        // Only its headers.
        stored: big.indexOf('\r\n\r\n') + 4,
      });
      expect(processed.size).toBe(big.length);
      expect(await count(`from_address = 'oksana.big@mail.test'`)).toBe(1);
      await stop(app);
    }, 60_000);
  });
}
