import type { EntityManager } from 'typeorm';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { Inquiry } from './inquiry.entity.js';
import { PreparedStatement, entityColumns, toEntity } from '../database/prepared-statement.js';

export function notFound(id: string): DomainException {
  return new DomainException('not_found', 'No such inquiry', { detail: `No inquiry ${id}.` });
}

let lockStatement: PreparedStatement | undefined;

// THE way a case is locked for a change, whichever module changes it (its identity records, its
// journey, its handover, its status link, its person's split): the inquiry row, FOR UPDATE, so
// that concurrent changes of one case take turns; 404 when there is none. The case as it is now.
export async function lockForChange(manager: EntityManager, id: string): Promise<Inquiry> {
  lockStatement ??= new PreparedStatement(
    'homecoming_inquiry_lock_v1',
    `SELECT ${entityColumns(manager.connection, Inquiry)} FROM inquiry WHERE id = $1 FOR UPDATE`,
  );
  const [row] = await lockStatement.run(manager, [id]);
  if (!row) throw notFound(id);
  return toEntity(Inquiry, row);
}

// The case locked, and the version the caller based the change on checked; a stale one says who
// changed it last.
export async function lockAtVersion(
  manager: EntityManager,
  id: string,
  version: number,
): Promise<Inquiry> {
  const inquiry = await lockForChange(manager, id);
  if (inquiry.version !== version) {
    const changedBy = (await manager.query(
      `SELECT e.actor, e.occurred_at, u.display_name
       FROM audit_event e LEFT JOIN staff_user u ON u.id::text = e.actor
       WHERE e.inquiry_id = $1 AND e.action <> 'inquiry.read'
       ORDER BY e.occurred_at DESC LIMIT 1`,
      [id],
    )) as { actor: string; occurred_at: Date; display_name: string | null }[];
    throw new DomainException('stale_version', 'Changed by someone else', {
      detail: `The inquiry was changed since version ${version}; reload it and try again.`,
      extensions: {
        currentVersion: inquiry.version,
        lastChangedBy: changedBy[0]?.actor ?? null,
        lastChangedByName: changedBy[0]?.display_name ?? null,
        lastChangedAt: changedBy[0]?.occurred_at ?? null,
      },
    });
  }
  return inquiry;
}
