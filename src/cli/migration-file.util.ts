import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface GeneratedSql {
  query: string;
  parameters?: unknown[];
}

function statement(q: GeneratedSql): string {
  const sql = q.query.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${');
  const params = q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : '';
  return `    await queryRunner.query(\`${sql}\`${params});`;
}

export function renderMigration(
  className: string,
  up: GeneratedSql[],
  down: GeneratedSql[],
): string {
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up.map(statement).join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down.map(statement).join('\n')}
  }
}
`;
}

// Adds the migration to the explicit list in <dir>/index.ts, keeping the order.
export async function registerMigration(
  dir: string,
  fileBase: string,
  className: string,
): Promise<void> {
  const indexPath = path.join(dir, 'index.ts');
  const source = await readFile(indexPath, 'utf8');
  const importLine = `import { ${className} } from './${fileBase}.js';\n`;
  const lastImport = [...source.matchAll(/^import .*\n/gm)].at(-1);
  const at = lastImport ? lastImport.index + lastImport[0].length : 0;
  const withImport = source.slice(0, at) + importLine + source.slice(at);
  const listed = withImport.replace(/= \[([\s\S]*?)\];/, (_match, body: string) => {
    const entries = body
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)
      .concat(className);
    return `= [\n${entries.map((e) => `  ${e},`).join('\n')}\n];`;
  });
  await writeFile(indexPath, listed.replace(/\n{3,}/g, '\n\n'));
}
