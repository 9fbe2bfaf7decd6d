import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AuditService } from '../audit/audit.service.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { systemActor } from '../common/request-context.js';
import { listPendingMigrations } from '../database/migrations.util.js';
import { REGISTRY_ENCODINGS, type RegistryEncoding } from '../registry/registry-rows.js';
import { RegistryService, type ImportReport } from '../registry/registry.service.js';
import { runCommand, withDatabase } from './database-context.js';

// npm run registry:import -- <file.csv|file.json> [--skip-invalid] [--encoding windows-1251]
const USAGE =
  'usage: registry import <file.csv|file.json> [--skip-invalid] [--encoding utf-8|windows-1251]';

const out = (line: string) => process.stdout.write(`${line}\n`);

function printInvalid(report: Pick<ImportReport, 'invalid'>): void {
  for (const { row, errors } of report.invalid) {
    out(`  row ${row}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
  }
}

async function importFile(file: string, skipInvalid: boolean, encoding?: RegistryEncoding) {
  const format = path.extname(file).toLowerCase() === '.json' ? 'json' : 'csv';
  // npm runs scripts from the project's folder; the file is named from where npm was called.
  const bytes = await readFile(path.resolve(process.env.INIT_CWD ?? process.cwd(), file));
  return withDatabase(async ({ dataSource }) => {
    const pending = await listPendingMigrations(dataSource);
    if (pending.length > 0) {
      out(`pending migrations (run \`npm run migration:run\` first): ${pending.join(', ')}`);
      return 1;
    }
    const registry = new RegistryService(dataSource, new AuditService(dataSource));
    const started = performance.now();
    try {
      const report = await registry.import(
        bytes,
        { format, encoding, skipInvalid },
        systemActor('cli'),
      );
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      out(
        `imported ${report.imported} of ${report.total} rows in ${seconds} s: ${report.created} new, ` +
          `${report.updated} updated, ${report.skipped} invalid skipped`,
      );
      printInvalid(report);
      return 0;
    } catch (error) {
      if (!(error instanceof DomainException)) throw error;
      out(`${error.message}${error.detail ? `. ${error.detail}` : ''}`);
      const report = error.extensions?.report as ImportReport | undefined;
      if (report) printInvalid(report);
      return 1;
    }
  });
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'skip-invalid': { type: 'boolean', default: false },
      encoding: { type: 'string' },
    },
  });
  const [command, file] = positionals;
  const encoding = values.encoding as RegistryEncoding | undefined;
  if (command !== 'import' || !file || (encoding && !REGISTRY_ENCODINGS.includes(encoding))) {
    out(USAGE);
    return 2;
  }
  return importFile(file, values['skip-invalid'], encoding);
}

runCommand(main);
