import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { DataSource } from 'typeorm';
import { intakeSignature } from '../src/intake/intake.controller.js';
import { dovecotProgram, startDovecot, type Dovecot } from './support/dovecot.js';
import { messageArbitrary as builtMessages, type BuiltMessage } from './support/mime-builder.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Random MIME messages, written by hand in test/support/mime-builder.ts (no mail library: the
// app parses with mailparser), through both doors: any structure, charset and transfer encoding,
// a third of them broken (a boundary that does not match, no closing boundary, a charset label
// that lies). Each message comes to exactly one outcome — a first letter from its sender opens a
// case, the next ones join it — with its sender and subject as written and every one of its
// texts in what a caseworker reads; never a 5xx, never lost.
const RUNS = Number(process.env.MIME_RUNS ?? 120);
const IMAP_MESSAGES = Number(process.env.MIME_IMAP_MESSAGES ?? 40);
const SEED = process.env.MIME_SEED ? Number(process.env.MIME_SEED) : undefined;
const SECRET = 'test-intake-secret-mime-0123456789abcdef';

interface Stored {
  outcome: string;
  from_address: string | null;
  subject: string | null;
  text_body: string | null;
  attachments: number;
}

// Messages shown in a failure by their description (the raw bytes are in the message itself).
const messageArbitrary = (options: { brokenBoundaries: boolean }) =>
  builtMessages(options).map((m) =>
    Object.assign(m, {
      [fc.toStringMethod]: () => `${m.description}\n${m.raw.toString('latin1')}`,
    }),
  );

const flat = (text: string | null) => (text ?? '').replace(/\s+/g, ' ');

// What a message must have come to, given the senders that wrote before it.
function expectTaken(message: BuiltMessage, row: Stored | undefined, seen: Set<string>): void {
  const where = message.description;
  const text = flat(row?.text_body ?? null);
  expect([where, row?.outcome, row?.from_address, row?.subject]).toEqual([
    where,
    seen.has(message.from) ? 'attached' : 'opened',
    message.from,
    message.subject,
  ]);
  seen.add(message.from);
  expect([where, message.expectedTexts.filter((t) => !text.includes(t))]).toEqual([where, []]);
  if (!message.broken) {
    // A letter inside the letter is an attachment, not the family's words.
    expect([where, message.embeddedTexts.filter((t) => text.includes(t))]).toEqual([where, []]);
    expect([where, row?.attachments]).toEqual([where, message.attachments.length]);
  }
}

const STORED = `SELECT e.outcome, e.from_address, e.subject, e.text_body,
    (SELECT count(*)::int FROM inbound_attachment a WHERE a.inbound_email_id = e.id) AS attachments
  FROM inbound_email e`;

describe('mail intake of random MIME messages (webhook)', () => {
  let sut: TestApp;
  const sql = <T>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;

  beforeAll(async () => {
    sut = await createTestApp({
      env: {
        INTAKE_WEBHOOK_SECRET: SECRET,
        MAIL_DIR: mkdtempSync(path.join(os.tmpdir(), 'homecoming-mime-mail-')),
      },
    });
  });

  afterAll(async () => {
    await sut.close();
    rmSync(sut.config.mail.dir, { recursive: true, force: true });
  });

  it('takes each to one outcome, with its sender, subject and every text', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(messageArbitrary({ brokenBoundaries: true }), async (message) => {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const res = await request(sut.app.getHttpServer() as App)
          .post('/api/intake/email')
          .set('Content-Type', 'message/rfc822')
          .set('X-Homecoming-Timestamp', timestamp)
          .set('X-Homecoming-Signature', intakeSignature(SECRET, timestamp, message.raw))
          .send(message.raw);
        expect([message.description, res.status, res.body.duplicate]).toEqual([
          message.description,
          202,
          false,
        ]);
        const [row] = await sql<Stored>(`${STORED} WHERE e.id = $1`, [res.body.id]);
        expectTaken(message, row, seen);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    const [{ n }] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM inbound_email WHERE outcome NOT IN ('opened', 'attached')`,
    );
    expect(n).toBe(0);
  }, 300_000);
});

const IMAP_SUITE = 'mail intake of random MIME messages (IMAP, against Dovecot)';
if (!dovecotProgram.path) {
  dovecotProgram.reportMissing(IMAP_SUITE, 'apt-get install -y dovecot-imapd');
} else {
  describe(IMAP_SUITE, () => {
    let dovecot: Dovecot;
    let sut: TestApp;
    const sql = <T>(text: string, params: unknown[] = []) =>
      sut.app.get(DataSource).query(text, params) as Promise<T[]>;

    beforeAll(async () => {
      dovecot = await startDovecot();
    }, 60_000);

    afterAll(async () => {
      await sut?.close();
      if (sut) rmSync(sut.config.mail.dir, { recursive: true, force: true });
      await dovecot?.remove();
    }, 60_000);

    it('takes each from the mailbox to one outcome, with its sender, subject and every text', async () => {
      const messages = fc.sample(messageArbitrary({ brokenBoundaries: true }), {
        numRuns: IMAP_MESSAGES,
        seed: SEED,
      });
      await dovecot.appendMany(
        'INBOX',
        messages.map((m) => m.raw),
      );
      // The reader runs in this process (ROLE worker) and reads the folder at start.
      sut = await createTestApp({
        env: {
          ROLE: 'worker',
          MAIL_DIR: mkdtempSync(path.join(os.tmpdir(), 'homecoming-mime-imap-mail-')),
          IMAP_HOST: dovecot.host,
          IMAP_PORT: String(dovecot.port),
          IMAP_TLS: 'none',
          IMAP_USER: dovecot.user,
          IMAP_PASSWORD: dovecot.password,
          IMAP_MAILBOXES: 'INBOX',
          IMAP_POLL_INTERVAL_MS: '1000',
        },
      });
      const deadline = Date.now() + 120_000;
      while ((await dovecot.list('INBOX')).length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await dovecot.list('INBOX')).toEqual([]);
      const rows = await sql<Stored & { message_id: string }>(
        `${STORED.replace('e.outcome,', 'e.outcome, e.message_id,')} ORDER BY e.received_at`,
      );
      const byMessageId = new Map(rows.map((r) => [r.message_id, r]));
      expect(rows).toHaveLength(messages.length);
      // Read in UID order, one sender's letters one after another: the first opens the case.
      const seen = new Set<string>();
      for (const message of messages) {
        expectTaken(message, byMessageId.get(message.messageId), seen);
      }
    }, 240_000);
  });
}
