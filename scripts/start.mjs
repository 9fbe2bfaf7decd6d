// `npm start`: build when the compiled app is missing or older than its sources, then run it in
// this same process (so signals reach it directly).
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

await import('../dist/src/main.js');
