import { AuditService } from '../audit/audit.service.js';
import { systemActor } from '../common/request-context.js';
import { listPendingMigrations } from '../database/migrations.util.js';
import { runCommand, withDatabase, type DatabaseContext } from './database-context.js';

// npm run audit:verify | audit:checkpoint — see README.md.
const USAGE = 'usage: audit verify | checkpoint';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function auditServiceFor({ dataSource }: DatabaseContext): Promise<AuditService> {
  const pending = await listPendingMigrations(dataSource);
  if (pending.length > 0) {
    throw new Error(
      `pending migrations (run \`npm run migration:run\` first): ${pending.join(', ')}`,
    );
  }
  return new AuditService(dataSource);
}

// Exit 0 when every chain is intact, 1 with the first broken event otherwise. The run itself is
// recorded as an audit.verify event by `system:cli`.
async function verify(context: DatabaseContext): Promise<number> {
  const audit = await auditServiceFor(context);
  const result = await audit.verifyAs(systemActor('cli'));
  if (result.intact) {
    out(`intact, ${result.events} events in ${result.streams} streams`);
    out(`${result.checkpoints} checkpoints`);
    return 0;
  }
  const { eventId, stream, seq, checkpointId, reason } = result.firstBroken;
  out(`BROKEN: ${reason}`);
  out(`  event       ${eventId ?? '(none)'}`);
  out(`  stream      ${stream ?? '(none)'}${seq !== null ? `, seq ${seq}` : ''}`);
  if (checkpointId !== undefined) out(`  checkpoint  ${checkpointId}`);
  out(
    `${result.problems} problem(s) found; ${result.events} events in ${result.streams} streams and ${result.checkpoints} checkpoints checked`,
  );
  return 1;
}

async function checkpoint(context: DatabaseContext): Promise<number> {
  const audit = await auditServiceFor(context);
  const written = await audit.writeCheckpoint();
  if (!written) {
    out('nothing to checkpoint: no stream head moved since the last checkpoint');
    return 0;
  }
  out(
    `checkpoint ${written.id} written: ${Object.keys(written.heads).length} stream head(s), hash ${written.hash}`,
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  switch (argv[0]) {
    case 'verify':
      return withDatabase(verify);
    case 'checkpoint':
      return withDatabase(checkpoint);
  }
  out(USAGE);
  return 2;
}

runCommand(main);
