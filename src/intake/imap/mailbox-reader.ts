import type { Logger } from '@nestjs/common';
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import type { DataSource } from 'typeorm';
import type { IntakeService } from '../intake.service.js';
import { addressIn } from '../broken-mime.js';
import { rawHeader } from '../raw-cyrillic.js';

export interface ImapSettings {
  host: string;
  port: number;
  tls: 'tls' | 'starttls' | 'none';
  user: string;
  password: string;
  processedFolder: string;
  pollIntervalMs: number;
  leaseMs: number;
  maxBytes: number;
}

export type ReaderState = 'standby' | 'connecting' | 'reading' | 'waiting' | 'retrying' | 'stopped';

// What /health/ready shows of one folder.
export interface ReaderStatus {
  mailbox: string;
  state: ReaderState;
  // This replica reads the folder (another holds it while this one is on standby).
  holder: boolean;
  lastReadAt: string | null;
  lastError: string | null;
  retryAt: string | null;
}

// Fetched at once: a round trip per message is slow, a whole folder at once could be gigabytes.
const CHUNK_MESSAGES = 50;
const CHUNK_BYTES = 32 * 1024 * 1024;
const LANES = 4;
const BACKOFF_FIRST_MS = 1_000;
// Short enough that a server back after an outage is read again within seconds (the wait is
// jittered up to 1.5×); a connection attempt every few seconds costs the server nothing.
const BACKOFF_MAX_MS = 6_000;
// A refused sign-in (a changed password) is not retried every few seconds: mail providers lock
// accounts, and fail2ban bans addresses, for less.
const AUTH_FAILED_WAIT_MS = 5 * 60_000;

// Reads one IMAP folder into the intake pipeline, in UID order, for as long as this replica holds
// the folder's lease in PostgreSQL (imap_mailbox): only one replica reads a folder at a time.
//
// No loss, no repeat: a message is stored (and its raw bytes hashed) before the folder's last
// UID moves past it, and it is moved to the processed folder only after that. Killed anywhere in
// between, the next run fetches again from the last UID recorded; a message already stored is
// recognised by its bytes and not taken twice. A message left behind by a failed move is moved on
// the next round. When the server changes the folder's UIDVALIDITY, reading starts over at UID 1,
// with the same protection.
//
// New mail is noticed by IDLE (imapflow enters it when the connection is quiet) and, whatever the
// server says, by a poll every pollIntervalMs. A lost connection is retried with exponential
// backoff (1 s doubling to 6 s, with jitter), shown in the status meanwhile.
export class MailboxReader {
  private stopping = false;
  private loop?: Promise<void>;
  private client?: ImapFlow;
  // Ends the current pause: stop() calls it; the connection's events call wakeForNews, set only
  // while the pause waits for news.
  private wake?: () => void;
  private wakeForNews?: () => void;
  // The server announced mail since the last read began (IDLE's EXISTS).
  private news = false;
  private readonly status: ReaderStatus;

  constructor(
    private readonly folder: string,
    private readonly settings: ImapSettings,
    private readonly owner: string,
    private readonly dataSource: DataSource,
    private readonly intake: IntakeService,
    private readonly logger: Logger,
  ) {
    this.status = {
      mailbox: folder,
      state: 'standby',
      holder: false,
      lastReadAt: null,
      lastError: null,
      retryAt: null,
    };
  }

  // The lease's key: the same folder name on another account is another mailbox.
  get key(): string {
    return `${this.settings.user}@${this.settings.host}/${this.folder}`;
  }

  snapshot(): ReaderStatus {
    return { ...this.status };
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    this.client?.close();
    await this.loop;
    await this.releaseLease().catch(() => undefined);
    this.status.state = 'stopped';
    this.status.holder = false;
  }

  private async run(): Promise<void> {
    let backoff = BACKOFF_FIRST_MS;
    while (!this.stopping) {
      try {
        if (!(await this.takeLease())) {
          this.status.state = 'standby';
          this.status.holder = false;
          await this.pause(this.settings.leaseMs / 3);
          continue;
        }
        this.status.holder = true;
        await this.session(() => {
          backoff = BACKOFF_FIRST_MS;
        });
      } catch (error) {
        if (this.stopping) break;
        const refused = (error as { authenticationFailed?: boolean }).authenticationFailed === true;
        const wait = refused ? AUTH_FAILED_WAIT_MS : Math.round(backoff * (0.5 + Math.random()));
        this.status.state = 'retrying';
        this.status.lastError = describe(error);
        this.status.retryAt = new Date(Date.now() + wait).toISOString();
        this.logger.warn(`imap ${this.folder}: ${this.status.lastError}; retrying in ${wait} ms`);
        // Closed first: its announcements must not cut the backoff short.
        this.client?.close();
        await this.pause(wait);
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      } finally {
        this.client?.close();
        this.client = undefined;
      }
    }
  }

  // One connection: read what is there, then wait for news, until stopped, the connection
  // drops (thrown) or the lease is lost (returns, and run() goes back to standby).
  private async session(connected: () => void): Promise<void> {
    this.status.state = 'connecting';
    const client = new ImapFlow({
      host: this.settings.host,
      port: this.settings.port,
      secure: this.settings.tls === 'tls',
      doSTARTTLS:
        this.settings.tls === 'starttls' ? true : this.settings.tls === 'none' ? false : undefined,
      auth: { user: this.settings.user, pass: this.settings.password },
      logger: false,
      autoIdleDelay: 1_000,
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
      socketTimeout: 5 * 60_000,
    });
    this.client = client;
    let closed = false;
    client.on('error', (error: Error) => {
      this.status.lastError = describe(error);
    });
    client.on('close', () => {
      closed = true;
      this.wakeForNews?.();
    });
    client.on('exists', () => {
      this.news = true;
      this.wakeForNews?.();
    });
    await client.connect();
    if (this.stopping) return;
    await this.ensureFolders(client, [this.folder, this.settings.processedFolder]);
    // Opened, not locked: this connection is the reader's alone, and imapflow only enters IDLE
    // when no lock is held.
    await client.mailboxOpen(this.folder);
    connected();
    this.status.lastError = null;
    this.status.retryAt = null;
    while (!this.stopping) {
      if (closed) throw new Error('the IMAP server closed the connection');
      if (!(await this.takeLease())) break;
      this.status.state = 'reading';
      this.news = false;
      await this.readNew(client);
      this.status.lastReadAt = new Date().toISOString();
      this.status.state = 'waiting';
      await this.pause(Math.min(this.settings.pollIntervalMs, this.settings.leaseMs / 3), {
        orNews: true,
      });
    }
    if (!closed) await client.logout().catch(() => undefined);
  }

  // Everything above the last UID recorded, oldest first, a chunk at a time.
  private async readNew(client: ImapFlow): Promise<void> {
    const mailbox = client.mailbox;
    if (!mailbox) throw new Error(`folder ${this.folder} is not open`);
    let lastUid = await this.checkValidity(String(mailbox.uidValidity));
    await this.moveProcessed(client, lastUid);
    for (;;) {
      if (this.stopping) return;
      const listed = (
        await client.fetchAll(`${lastUid + 1}:*`, { uid: true, size: true }, { uid: true })
      )
        .filter((m) => m.uid > lastUid)
        .sort((a, b) => a.uid - b.uid);
      if (listed.length === 0) return;
      for (const chunk of chunksOf(listed)) {
        if (this.stopping) return;
        const uids = chunk.map((m) => m.uid);
        const wanted = chunk
          .filter((m) => (m.size ?? 0) <= this.settings.maxBytes)
          .map((m) => m.uid);
        const fetched = new Map<number, Buffer>();
        if (wanted.length) {
          const messages = await client.fetchAll(
            wanted.join(','),
            { uid: true, source: true },
            { uid: true },
          );
          for (const m of messages) if (m.source) fetched.set(m.uid, m.source);
        }
        for (const item of chunk) {
          if (!fetched.has(item.uid)) await this.tooLarge(client, item);
        }
        // Several at once, but one sender's messages one after another and in order: a reply
        // must find the case its sender's first letter opened.
        await inLanes(
          chunk.filter((item) => fetched.has(item.uid)),
          // The sender's address, however the From header writes the name around it.
          (item) => addressIn(rawHeader(fetched.get(item.uid)!, 'from')?.toString('latin1')) ?? '',
          LANES,
          (item) => this.intake.receive(fetched.get(item.uid)!, `imap:${this.folder}`),
        );
        lastUid = uids.at(-1)!;
        if (!(await this.advance(lastUid))) return;
        await this.moveProcessed(client, lastUid);
      }
    }
  }

  // A message over INTAKE_MAX_BYTES is not fetched: its headers are quarantined with the reason,
  // and the message itself goes to the processed folder with the rest, where a person finds it.
  private async tooLarge(client: ImapFlow, item: FetchMessageObject): Promise<void> {
    const uid = item.uid;
    const fetched = await client.fetchOne(String(uid), { uid: true, headers: true }, { uid: true });
    const headers = fetched ? fetched.headers : undefined;
    await this.intake.quarantineUnfetched(
      headers ?? Buffer.from(`X-Homecoming-Imap-Uid: ${uid}\r\n\r\n`),
      `imap:${this.folder}`,
      `larger than INTAKE_MAX_BYTES (${item.size} bytes): not fetched; the message is on the ` +
        `IMAP server in ${this.settings.processedFolder} (it was UID ${uid} of ${this.folder})`,
      item.size ?? 0,
    );
  }

  // Stored messages still in the folder (up to lastUid): flagged \Seen and moved to the
  // processed folder.
  private async moveProcessed(client: ImapFlow, lastUid: number): Promise<void> {
    if (lastUid < 1) return;
    const left = (await client.search({ uid: `1:${lastUid}` }, { uid: true })) || [];
    if (left.length === 0) return;
    const range = left.join(',');
    await client.messageFlagsAdd(range, ['\\Seen'], { uid: true });
    await client.messageMove(range, this.settings.processedFolder, { uid: true });
  }

  // A folder named in the configuration that the account lacks is created (empty), and said.
  private async ensureFolders(client: ImapFlow, wanted: string[]): Promise<void> {
    const folders = new Set((await client.list()).map((f) => f.path.toUpperCase()));
    for (const folder of wanted) {
      if (folders.has(folder.toUpperCase())) continue;
      await client.mailboxCreate(folder);
      this.logger.log(`imap: created folder ${folder}`);
    }
  }

  // -- The folder's row: lease, UIDVALIDITY and last UID -----------------------------------

  private async takeLease(): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO imap_mailbox AS m (mailbox, lease_owner, lease_until)
       VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (mailbox) DO UPDATE
         SET lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
         WHERE m.lease_owner = $2 OR m.lease_until IS NULL OR m.lease_until < now()
       RETURNING mailbox`,
      [this.key, this.owner, this.settings.leaseMs],
    )) as unknown[];
    return rows.length === 1;
  }

  private async releaseLease(): Promise<void> {
    await this.dataSource.query(
      `UPDATE imap_mailbox SET lease_owner = NULL, lease_until = NULL
       WHERE mailbox = $1 AND lease_owner = $2`,
      [this.key, this.owner],
    );
  }

  // The last UID read under this UIDVALIDITY; 0 when the server has a new one (read again).
  private async checkValidity(uidValidity: string): Promise<number> {
    // TypeORM answers an UPDATE with [rows, count].
    const [[row]] = (await this.dataSource.query(
      `UPDATE imap_mailbox
       SET last_uid = CASE WHEN uid_validity IS DISTINCT FROM $3::bigint THEN 0 ELSE last_uid END,
           uid_validity = $3::bigint
       WHERE mailbox = $1 AND lease_owner = $2
       RETURNING last_uid::text AS last_uid`,
      [this.key, this.owner, uidValidity],
    )) as [{ last_uid: string }[], number];
    if (!row) throw new Error('the lease on the folder was lost');
    return Number(row.last_uid);
  }

  private async advance(lastUid: number): Promise<boolean> {
    const [, count] = (await this.dataSource.query(
      `UPDATE imap_mailbox SET last_uid = $3, lease_until = now() + $4 * interval '1 millisecond'
       WHERE mailbox = $1 AND lease_owner = $2 AND last_uid < $3`,
      [this.key, this.owner, lastUid, this.settings.leaseMs],
    )) as [unknown, number];
    return count === 1;
  }

  // Waits ms, or until stop() — or, with `orNews`, until the server announces mail (or is found
  // to have announced it already). Backoff and standby waits ignore news: a reader whose
  // database or server is away would otherwise spin while an old announcement stands.
  private pause(ms: number, { orNews = false } = {}): Promise<void> {
    if (this.stopping || (orNews && this.news)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
      this.wakeForNews = orNews ? done : undefined;
    });
  }
}

// Runs work on every item, `lanes` at a time, items of one key one after another in order.
async function inLanes<T>(
  items: T[],
  keyOf: (item: T) => string,
  lanes: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const queue = [...groups.values()];
  const lane = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const item of group) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, queue.length) }, lane));
}

function* chunksOf(messages: FetchMessageObject[]): Generator<FetchMessageObject[]> {
  let chunk: FetchMessageObject[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (chunk.length && (chunk.length >= CHUNK_MESSAGES || bytes + (m.size ?? 0) > CHUNK_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(m);
    bytes += m.size ?? 0;
  }
  if (chunk.length) yield chunk;
}

// Errors as the status shows them: the message, never the credentials (imapflow does not put
// them in messages; the server's response text is kept short).
function describe(error: unknown): string {
  const e = error as { message?: string; responseText?: string; code?: string };
  return (
    [e.code, e.responseText ?? e.message].filter(Boolean).join(': ').slice(0, 300) ||
    'unknown error'
  );
}
