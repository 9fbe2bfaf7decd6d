import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { registerMigration, renderMigration } from './migration-file.util.js';

describe('renderMigration', () => {
  it('writes up and down statements, escaping template-literal syntax', () => {
    const sut = renderMigration(
      'AddThings1700000000000',
      [{ query: 'CREATE TABLE "t" ("a" text DEFAULT \'`${x}`\')' }],
      [{ query: 'DROP TABLE "t"' }],
    );

    expect(sut).toContain("name = 'AddThings1700000000000';");
    expect(sut).toContain(
      'await queryRunner.query(`CREATE TABLE "t" ("a" text DEFAULT \'\\`\\${x}\\`\')`);',
    );
    expect(sut).toContain('await queryRunner.query(`DROP TABLE "t"`);');
  });
});

describe('registerMigration', () => {
  it('imports the class and appends it to the list, keeping the order', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    await writeFile(
      path.join(dir, 'index.ts'),
      "import type { MigrationInterface } from 'typeorm';\n\n// comment\nexport const migrations: (new () => MigrationInterface)[] = [];\n",
    );

    await registerMigration(dir, '1700000000000-First', 'First1700000000000');
    await registerMigration(dir, '1700000000001-Second', 'Second1700000000001');

    expect(await readFile(path.join(dir, 'index.ts'), 'utf8')).toBe(
      [
        "import type { MigrationInterface } from 'typeorm';",
        "import { First1700000000000 } from './1700000000000-First.js';",
        "import { Second1700000000001 } from './1700000000001-Second.js';",
        '',
        '// comment',
        'export const migrations: (new () => MigrationInterface)[] = [',
        '  First1700000000000,',
        '  Second1700000000001,',
        '];',
        '',
      ].join('\n'),
    );
  });
});
