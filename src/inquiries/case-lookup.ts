import type { EntityManager } from 'typeorm';
import { Inquirer } from '../people/inquirer.entity.js';
import { notFound } from './inquiry-lock.util.js';
import { Inquiry } from './inquiry.entity.js';

// How other modules read a case (what hangs off an inquiry: calls, callbacks, letters): a
// missing one is a 404, not a foreign-key conflict. For a change, lock it (lockForChange).
export async function findInquiryOrFail(manager: EntityManager, id: string): Promise<Inquiry> {
  const inquiry = await manager.getRepository(Inquiry).findOneBy({ id });
  if (!inquiry) throw notFound(id);
  return inquiry;
}

export async function findInquiryWithInquirerOrFail(
  manager: EntityManager,
  id: string,
): Promise<{ inquiry: Inquiry; inquirer: Inquirer }> {
  const inquiry = await findInquiryOrFail(manager, id);
  const inquirer = await manager
    .getRepository(Inquirer)
    .findOneByOrFail({ id: inquiry.inquirerId });
  return { inquiry, inquirer };
}

// The case a reference names, if any.
export function findByReference(
  manager: EntityManager,
  reference: string,
): Promise<Inquiry | null> {
  return manager.getRepository(Inquiry).findOneBy({ reference });
}

// A person's cases (their merged records' cases are theirs: merging moved them), oldest first.
export async function casesOfPerson(
  manager: EntityManager,
  personId: string,
): Promise<{ id: string; reference: string }[]> {
  return (await manager.query(
    `SELECT id, reference FROM inquiry WHERE inquirer_id = $1 ORDER BY created_at, id`,
    [personId],
  )) as { id: string; reference: string }[];
}
