import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

// An operator's command, compiled (dist/src/cli/<script>.js), as its own process with only PATH
// and `env`: what `npm run <command>` runs after building.
export function runCli(script: string, args: string[], env: Record<string, string>) {
  const file = `dist/src/cli/${script}.js`;
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [file, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
