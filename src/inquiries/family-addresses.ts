import type { EntityManager } from 'typeorm';

// A letter to the family of a case bounced: the address the report names (or else the first of
// theirs not yet known to fail) is marked undeliverable on their person, so that letters go to
// another address, or none (the gate). The address marked, or null when there is none to mark.
export async function markEmailUndeliverable(
  manager: EntityManager,
  inquiryId: string,
  named: string | null,
): Promise<string | null> {
  const [rows] = (await manager.query(
    `UPDATE inquirer r SET undeliverable_emails = array_append(r.undeliverable_emails, chosen.address)
     FROM (
       SELECT r2.id, coalesce(
         (SELECT e FROM unnest(r2.emails) e WHERE e = $2),
         (SELECT e FROM unnest(r2.emails) WITH ORDINALITY AS x(e, n)
           WHERE e <> ALL(r2.undeliverable_emails) ORDER BY n LIMIT 1)) AS address
       FROM inquiry i JOIN inquirer r2 ON r2.id = i.inquirer_id WHERE i.id = $1
     ) chosen
     WHERE r.id = chosen.id AND chosen.address IS NOT NULL
       AND chosen.address <> ALL(r.undeliverable_emails)
     RETURNING chosen.address`,
    [inquiryId, named ?? ''],
  )) as [{ address: string }[], number];
  return rows[0]?.address ?? null;
}
