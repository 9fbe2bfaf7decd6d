import { AuditCheckpoint } from '../audit/audit-checkpoint.entity.js';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { AuditStream } from '../audit/audit-stream.entity.js';
import { RecoveryCode } from '../auth/recovery-code.entity.js';
import { StaffSession } from '../auth/staff-session.entity.js';
import { StaffUser } from '../auth/staff-user.entity.js';

// Every TypeORM entity of the application: the data source (and the schema-drift check) knows
// these. Keep one import per line, grouped by module.
export const entities: (new () => object)[] = [
  StaffUser,
  StaffSession,
  RecoveryCode,
  AuditEvent,
  AuditStream,
  AuditCheckpoint,
];
