import type { EntityManager } from 'typeorm';
import { DomainException } from '../common/exceptions/domain.exception.js';

// The inquiry, locked for the rest of the caller's transaction (identity records of one case
// are written one at a time); 404 when there is none.
export async function lockInquiry(manager: EntityManager, inquiryId: string): Promise<void> {
  const rows = (await manager.query(`SELECT id FROM inquiry WHERE id = $1 FOR UPDATE`, [
    inquiryId,
  ])) as unknown[];
  if (rows.length === 0) throw new DomainException('not_found', 'No such inquiry');
}

// A countersignature by the person who signed first is refused: four eyes means two people.
export function fourEyes(what: string): DomainException {
  return new DomainException('four_eyes_required', `A second person must countersign ${what}`, {
    detail: 'You signed it first; a different staff member must countersign it.',
  });
}

// The confirmed match of the inquiry: the prisoner the case is about, or null.
export async function confirmedPrisoner(
  manager: EntityManager,
  inquiryId: string,
): Promise<string | null> {
  const [row] = (await manager.query(
    `SELECT prisoner_id FROM inquiry_match WHERE inquiry_id = $1 AND state = 'confirmed'`,
    [inquiryId],
  )) as { prisoner_id: string }[];
  return row?.prisoner_id ?? null;
}
