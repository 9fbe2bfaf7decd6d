import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export const MAIN = 'dist/src/main.js';

export interface AppProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  // Resolves with the URL once the app logs that it listens.
  listening: Promise<string>;
  exited: Promise<number | null>;
}

// Runs the compiled app as `npm start` would, as a separate process.
export function spawnApp(
  env: Record<string, string>,
  cwd = process.cwd(),
  args: readonly string[] = [],
): AppProcess {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [path.resolve(MAIN), ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      NODE_ENV: 'production',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /homecoming listening on (http:\/\/[^"\s]+)/.exec(out);
      if (match) resolve(match[1]);
    });
    void exited.then((code) =>
      reject(new Error(`app exited (${code}) before listening:\n${out}\n${err}`)),
    );
  });
  listening.catch(() => undefined);
  return { child, stdout: () => out, stderr: () => err, listening, exited };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
