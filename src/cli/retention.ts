import { Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { Pseudonymiser } from '../privacy/pseudonymiser.js';
import { RetentionService } from '../privacy/retention.service.js';
import { runCommand, withDatabase } from './database-context.js';

// npm run retention [-- --dry-run]: pseudonymises now every ended case past its retention
// period (RETENTION_DAYS), as the scheduled job does; --dry-run lists what it would remove and
// changes nothing. Prints case references, statuses and counts — never a value.
const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--dry-run');
  if (unknown.length > 0) {
    out('usage: retention [--dry-run]');
    return 2;
  }
  const dryRun = argv.includes('--dry-run');
  Logger.overrideLogger(false); // the lines below say it all
  return withDatabase(async ({ config, dataSource }) => {
    const audit = new AuditService(dataSource);
    const retention = new RetentionService(
      dataSource,
      config,
      new Pseudonymiser(dataSource, audit),
    );
    const policy = [...config.retention.days].map(([s, d]) => `${s} ${d} days`).join(', ');
    out(`retention policy: ${policy || 'keep everything'}`);
    const run = await retention.runOnce({ dryRun, limit: dryRun ? 10_000 : 100 });
    for (const c of run.cases) {
      const removed = Object.entries(c.removed)
        .filter(([, n]) => n > 0)
        .map(([table, n]) => `${table} ${n}`)
        .join(', ');
      out(
        `${c.reference}  ${c.status} since ${c.closedAt.slice(0, 10)} (${c.days} days): ${removed}`,
      );
    }
    out(
      `${run.cases.length} case(s) ${dryRun ? 'would be pseudonymised (dry run: nothing changed)' : 'pseudonymised'}`,
    );
    return 0;
  });
}

runCommand(main);
