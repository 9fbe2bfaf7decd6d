import { execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { createServer } from 'node:net';

// A throwaway Dovecot IMAP server for the IMAP intake tests (test/intake-imap.test.ts) and
// benchmark (bench/intake.mjs): plain JavaScript so that both can use it; its types are in
// dovecot.d.mts. Needs Debian's dovecot-imapd.
const HOST = '127.0.0.1';
const USER = 'intake@homecoming.test';
const PASSWORD = 'secret';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
// A real Dovecot IMAP server on 127.0.0.1, run in the foreground as a child process, with its
// configuration, sockets, state, log and mail in a fresh temporary folder and one plaintext user.
// Each call picks a new port, so a server left behind by a crashed run cannot get in the way.
export async function startDovecot(program = '/usr/sbin/dovecot') {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'homecoming-dovecot-'));
  // mkdtemp makes it 0700; the mail processes run as an unprivileged user and must get in.
  await chmod(dir, 0o755);
  const port = await freePort();
  const accounts = await accountsForThisProcess();
  const conf = path.join(dir, 'dovecot.conf');
  const logFile = path.join(dir, 'dovecot.log');
  const mailRoot = path.join(dir, 'mail');
  await mkdir(mailRoot);
  await chown(mailRoot, accounts.mailUid, accounts.mailGid);
  await writeFile(
    path.join(dir, 'users'),
    `${USER}:{PLAIN}${PASSWORD}:${accounts.mailUid}:${accounts.mailGid}::${path.join(mailRoot, USER)}::\n`,
  );
  await writeFile(
    conf,
    dovecotConf({
      dir,
      port,
      logFile,
      accounts,
    }),
  );
  let child;
  let exited = Promise.resolve();
  let output = '';
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    const current = child;
    if (!current || !running()) return;
    current.kill('SIGTERM');
    if (!(await settlesWithin(exited, STOP_TIMEOUT_MS))) {
      current.kill('SIGKILL');
      await exited;
    }
  };
  const start = async () => {
    if (running()) return;
    // A pid file left by a killed server would make dovecot refuse to start.
    await rm(path.join(dir, 'run'), {
      recursive: true,
      force: true,
    });
    output = '';
    const startedAt = Date.now();
    const current = spawn(program, ['-F', '-c', conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = current;
    current.stdout.on('data', (chunk) => (output += chunk.toString()));
    current.stderr.on('data', (chunk) => (output += chunk.toString()));
    // Its children follow the master out; without this a test run that ends without remove()
    // would leave the master behind.
    const killOnExit = () => current.kill('SIGKILL');
    process.once('exit', killOnExit);
    exited = new Promise((resolve) =>
      current.once('exit', () => {
        process.off('exit', killOnExit);
        resolve();
      }),
    );
    const gaveUp = () => Date.now() - startedAt > START_TIMEOUT_MS;
    while (!(await answersWithGreeting(port))) {
      if (!running() || gaveUp()) {
        const why = running()
          ? `did not greet on port ${port} within ${START_TIMEOUT_MS / 1000} s`
          : 'exited';
        await stop();
        const log = await readFile(logFile, 'utf8').catch(() => '');
        throw new Error(`dovecot ${why}:\n${output}\n${log}`);
      }
      await sleep(100);
    }
  };
  const withClient = async (use) => {
    const client = new ImapFlow({
      host: HOST,
      port,
      secure: false,
      auth: {
        user: USER,
        pass: PASSWORD,
      },
      logger: false,
    });
    client.on('error', () => undefined);
    // the awaited call reports it
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.logout().catch(() => undefined);
    }
  };
  await start().catch(async (error) => {
    await rm(dir, {
      recursive: true,
      force: true,
    });
    throw error;
  });
  return {
    host: HOST,
    port,
    user: USER,
    password: PASSWORD,
    append: (folder, raw, flags) =>
      withClient(async (client) => {
        if (folder.toUpperCase() !== 'INBOX') await client.mailboxCreate(folder);
        if (!(await client.append(folder, raw, flags))) {
          throw new Error(`APPEND to ${folder} failed`);
        }
      }),
    appendMany: (folder, raws) =>
      withClient(async (client) => {
        if (folder.toUpperCase() !== 'INBOX') await client.mailboxCreate(folder);
        for (const raw of raws) {
          if (!(await client.append(folder, raw))) throw new Error(`APPEND to ${folder} failed`);
        }
      }),
    deleteFolder: (folder) =>
      withClient(async (client) => {
        await client.mailboxDelete(folder);
      }),
    list: (folder) =>
      withClient(async (client) => {
        const folders = await client.list();
        if (!folders.some((f) => f.path === folder)) return [];
        const lock = await client.getMailboxLock(folder, {
          readOnly: true,
        });
        try {
          if (client.mailbox === false || client.mailbox.exists === 0) return [];
          const messages = await client.fetchAll('1:*', {
            uid: true,
            flags: true,
            size: true,
          });
          // \Recent belongs to whichever session saw the message first, not to the message.
          const flagsOf = (flags = new Set()) =>
            [...flags].filter((flag) => flag !== '\\Recent').sort();
          return messages
            .map((m) => ({
              uid: m.uid,
              flags: flagsOf(m.flags),
              size: m.size ?? 0,
            }))
            .sort((a, b) => a.uid - b.uid);
        } finally {
          lock.release();
        }
      }),
    stop,
    start,
    remove: async () => {
      await stop();
      await rm(dir, {
        recursive: true,
        force: true,
      });
    },
  };
}
function dovecotConf(options) {
  const { dir, port, logFile, accounts } = options;
  const users = path.join(dir, 'users');
  // No chroot: a non-root dovecot cannot chroot, and root gains nothing from it here. Dovecot
  // refuses mail users below uid 500 unless told otherwise, and a CI user may be anyone.
  return `base_dir = ${path.join(dir, 'run')}
state_dir = ${path.join(dir, 'state')}
log_path = ${logFile}
instance_name = homecoming-test-${port}
protocols = imap
listen = ${HOST}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${accounts.internalUser}
default_internal_group = ${accounts.internalGroup}
default_login_user = ${accounts.loginUser}
first_valid_uid = ${accounts.mailUid}
mail_location = maildir:~/Maildir
mailbox_idle_check_interval = 1 secs
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${users}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${users}
}
service imap-login {
  chroot =
  inet_listener imap {
    address = ${HOST}
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`;
}
// Dovecot will not run mail processes as root: as root, the mail belongs to `nobody` and the
// server's own processes run as the users the Debian package creates; otherwise everything
// runs as the current user.
async function accountsForThisProcess() {
  const id = async (...args) => (await promisify(execFile)('id', args)).stdout.trim();
  if (process.getuid?.() !== 0) {
    const me = os.userInfo();
    return {
      internalUser: me.username,
      internalGroup: await id('-gn'),
      loginUser: me.username,
      mailUid: me.uid,
      mailGid: me.gid,
    };
  }
  return {
    internalUser: 'dovecot',
    internalGroup: 'dovecot',
    loginUser: 'dovenull',
    mailUid: Number(await id('-u', 'nobody')),
    mailGid: Number(await id('-g', 'nobody')),
  };
}
// Whether something accepts a connection on the port and greets like an IMAP server.
function answersWithGreeting(port) {
  return new Promise((resolve) => {
    const socket = connect({
      host: HOST,
      port,
    });
    let received = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (received.includes('\r\n')) done(received.startsWith('* OK'));
    });
  });
}
async function settlesWithin(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
