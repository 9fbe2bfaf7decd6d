import type { EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import { EventSubscriber } from 'typeorm';

// Work that must happen only if the caller's transaction commits (counting a transition, say):
// held per transaction and run by the subscriber below when the outermost transaction commits;
// dropped when the savepoint or transaction it was queued in rolls back. Outside a transaction it
// runs at once.
interface Queued {
  depth: number;
  work: () => void;
}

const pending = new WeakMap<QueryRunner, Queued[]>();

// How many transactions deep the runner is (1 = the outermost; more = savepoints); protected in
// TypeORM's types, public at run time.
const depthOf = (runner: QueryRunner) =>
  (runner as unknown as { transactionDepth: number }).transactionDepth;

export function afterCommit(manager: EntityManager, work: () => void): void {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) return work();
  const queued = pending.get(runner) ?? [];
  queued.push({ depth: depthOf(runner), work });
  pending.set(runner, queued);
}

@EventSubscriber()
export class AfterCommitSubscriber implements EntitySubscriberInterface {
  afterTransactionCommit({ queryRunner }: { queryRunner: QueryRunner }): void {
    const queued = pending.get(queryRunner) ?? [];
    if (queryRunner.isTransactionActive) {
      // A savepoint released: its work now belongs to the enclosing level, which may roll back.
      const depth = depthOf(queryRunner);
      for (const q of queued) q.depth = Math.min(q.depth, depth);
      return;
    }
    pending.delete(queryRunner);
    for (const { work } of queued) work();
  }

  afterTransactionRollback({ queryRunner }: { queryRunner: QueryRunner }): void {
    const kept = (pending.get(queryRunner) ?? []).filter(
      (q) => queryRunner.isTransactionActive && q.depth <= depthOf(queryRunner),
    );
    if (kept.length > 0) pending.set(queryRunner, kept);
    else pending.delete(queryRunner);
  }
}
