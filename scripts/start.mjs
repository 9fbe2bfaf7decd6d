// `npm start`: build the server and the admin UI when they are missing or older than their
// sources, then run the server in this same process (so signals reach it directly).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const BUILD_STAMP = 'dist/.tsbuildinfo';

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const stale =
  !existsSync('dist/src/main.js') ||
  !existsSync(BUILD_STAMP) ||
  Math.max(newestSource('src'), newestSource('migrations')) > statSync(BUILD_STAMP).mtimeMs;

if (stale) {
  console.error('homecoming: building (first start or sources changed)…');
  execFileSync(process.execPath, ['node_modules/@nestjs/cli/bin/nest.js', 'build'], {
    stdio: 'inherit',
  });
}

const ADMIN_BUILT = 'admin/dist/index.html';
const adminStale =
  !existsSync(ADMIN_BUILT) ||
  Math.max(newestSource('admin/src'), statSync('admin/index.html').mtimeMs) >
    statSync(ADMIN_BUILT).mtimeMs;

if (adminStale) {
  console.error('homecoming: building the admin UI…');
  execFileSync(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'build',
      '--config',
      'admin/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { stdio: 'inherit' },
  );
}

await import('../dist/src/main.js');
