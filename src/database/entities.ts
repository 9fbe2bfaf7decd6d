import { AuditCheckpoint } from '../audit/audit-checkpoint.entity.js';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { AuditCaseKey } from '../audit/audit-case-key.entity.js';
import { AuditStream } from '../audit/audit-stream.entity.js';
import { RecoveryCode } from '../auth/recovery-code.entity.js';
import { StaffSession } from '../auth/staff-session.entity.js';
import { StaffUser } from '../auth/staff-user.entity.js';
import { IdempotencyKey } from '../common/idempotency/idempotency-key.entity.js';
import { Call } from '../contacts/call.entity.js';
import { Callback } from '../contacts/callback.entity.js';
import { FamilyMessage } from '../contacts/family-message.entity.js';
import { InquiryStatusHistory } from '../inquiries/inquiry-status-history.entity.js';
import { Inquiry } from '../inquiries/inquiry.entity.js';
import { OutboxMessage } from '../mail/outbox.entity.js';
import { Inquirer } from '../people/inquirer.entity.js';
import { SoughtPerson } from '../people/sought-person.entity.js';
import { Search } from '../people/search.entity.js';
import { PersonMerge } from '../people/person-merge.entity.js';
import { InboundAttachment } from '../intake/inbound-attachment.entity.js';
import { InboundEmail } from '../intake/inbound-email.entity.js';
import { ImapMailbox } from '../intake/imap/imap-mailbox.entity.js';
import { Prisoner } from '../registry/prisoner.entity.js';
import { InquiryMatch } from '../identity/inquiry-match.entity.js';
import { InquirerVerification } from '../identity/inquirer-verification.entity.js';
import { PrisonerConsent } from '../identity/prisoner-consent.entity.js';
import { BorderCrossing } from '../travel/border-crossing.entity.js';
import { TravelPlan } from '../travel/travel-plan.entity.js';
import { Traveller } from '../travel/traveller.entity.js';
import { TravelEvent } from '../travel/travel-event.entity.js';
import { HandoverLocation } from '../handover/handover-location.entity.js';
import { HandoverAppointment } from '../handover/handover-appointment.entity.js';
import { StatusLink } from '../status/status-link.entity.js';
import { TrustedContact } from '../disclosure/trusted-contact.entity.js';
import { ContactChange } from '../disclosure/contact-change.entity.js';

// Every TypeORM entity of the application: the data source (and the schema-drift check) knows
// these. Keep one import per line, grouped by module.
export const entities: (new () => object)[] = [
  StaffUser,
  StaffSession,
  RecoveryCode,
  AuditEvent,
  AuditStream,
  AuditCaseKey,
  AuditCheckpoint,
  IdempotencyKey,
  Inquirer,
  PersonMerge,
  Search,
  Inquiry,
  SoughtPerson,
  InquiryStatusHistory,
  OutboxMessage,
  Call,
  Callback,
  FamilyMessage,
  InboundEmail,
  InboundAttachment,
  ImapMailbox,
  Prisoner,
  InquiryMatch,
  InquirerVerification,
  PrisonerConsent,
  BorderCrossing,
  TravelPlan,
  Traveller,
  TravelEvent,
  HandoverLocation,
  HandoverAppointment,
  StatusLink,
  TrustedContact,
  ContactChange,
];
