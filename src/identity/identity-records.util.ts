import type { EntityManager } from 'typeorm';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { CaseMove } from '../common/case-records/case-records.registry.js';

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

// Before a merge moves the identity records (CaseRecordsRegistry): an open match of the
// duplicate is rejected as merged where the survivor has one open already (a case confirms one
// prisoner).
export const IDENTITY_RECORDS = ['inquiry_match', 'inquirer_verification', 'prisoner_consent'];
export async function beforeIdentityMove({
  manager,
  from,
  to,
  actor,
  reason,
}: CaseMove): Promise<void> {
  await manager.query(
    `UPDATE inquiry_match d SET state = 'rejected', rejected_by = $3, rejected_at = now(),
       reason = $4
     WHERE d.inquiry_id = $1 AND d.state IN ('proposed', 'confirmed')
       AND EXISTS (SELECT 1 FROM inquiry_match s WHERE s.inquiry_id = $2
                   AND s.state IN ('proposed', 'confirmed'))`,
    [from, to, actor.actor, `merged into another inquiry: ${reason}`.slice(0, 2000)],
  );
}
