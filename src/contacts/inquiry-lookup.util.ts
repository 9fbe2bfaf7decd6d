import type { EntityManager } from 'typeorm';
import { Inquiry } from '../inquiries/inquiry.entity.js';
import { Inquirer } from '../people/inquirer.entity.js';
import { inquiryNotFound } from './contacts.exception.js';

// Contacts hang off an inquiry; a missing one is a 404, not a foreign-key conflict.
export async function findInquiryOrFail(manager: EntityManager, id: string): Promise<Inquiry> {
  const inquiry = await manager.getRepository(Inquiry).findOneBy({ id });
  if (!inquiry) throw inquiryNotFound(id);
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
