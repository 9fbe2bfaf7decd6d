import type { EntityManager } from 'typeorm';
import { StaffUser } from './staff-user.entity.js';

// How other modules learn who a staff member is (an assignee, an interviewer), in the caller's
// transaction: the account, or null when there is none.
export function findStaff(manager: EntityManager, id: string): Promise<StaffUser | null> {
  return manager.getRepository(StaffUser).findOneBy({ id });
}
