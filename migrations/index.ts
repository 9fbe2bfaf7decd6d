import type { MigrationInterface } from 'typeorm';
import { StaffAccounts1795931849239 } from './1795931849239-StaffAccounts.js';
import { AuditLog1795940000000 } from './1795940000000-AuditLog.js';
import { Inquiries1795934740982 } from './1795934740982-Inquiries.js';
import { InquiryDuplicates1795936000000 } from './1795936000000-InquiryDuplicates.js';
import { DuplicateIndexFastupdate1795937000000 } from './1795937000000-DuplicateIndexFastupdate.js';
import { Contacts1795935065505 } from './1795935065505-Contacts.js';
import { NameSearchKey1795941000000 } from './1795941000000-NameSearchKey.js';
import { NameSearchIndexes1795942000000 } from './1795942000000-NameSearchIndexes.js';
import { MailOut1795944649151 } from './1795944649151-MailOut.js';
import { CallbackOverdueNotice1795945374516 } from './1795945374516-CallbackOverdueNotice.js';
import { MailIntake1795947504210 } from './1795947504210-MailIntake.js';
import { MailIntakeImapAttachments1795950552691 } from './1795950552691-MailIntakeImapAttachments.js';
import { InboundContentHash1795955520746 } from './1795955520746-InboundContentHash.js';
import { IdentityConfirmation1795961989864 } from './1795961989864-IdentityConfirmation.js';
import { PrisonerNameKeys1795962000000 } from './1795962000000-PrisonerNameKeys.js';
import { VerificationDocumentIndex1795963000000 } from './1795963000000-VerificationDocumentIndex.js';
import { Travel1795964192682 } from './1795964192682-Travel.js';
import { BorderCrossingsSeed1795964200000 } from './1795964200000-BorderCrossingsSeed.js';
import { Handover1795964565970 } from './1795964565970-Handover.js';
import { StatusLinks1795964894470 } from './1795964894470-StatusLinks.js';
import { CrossingOverdueNotice1795965113897 } from './1795965113897-CrossingOverdueNotice.js';
import { ReportTallies1795966000000 } from './1795966000000-ReportTallies.js';
import { Pseudonymisation1795982386609 } from './1795982386609-Pseudonymisation.js';
import { DisclosureGate1796517480894 } from './1796517480894-DisclosureGate.js';
import { IntakeReview1796610000000 } from './1796610000000-IntakeReview.js';
import { HandoverAppointmentVersion1796525052604 } from './1796525052604-HandoverAppointmentVersion.js';
import { PersonsAndSearches1796620000000 } from './1796620000000-PersonsAndSearches.js';
import { FamilyMessages1796630000000 } from './1796630000000-FamilyMessages.js';
import { FamilyChannels1796640000000 } from './1796640000000-FamilyChannels.js';

// Every migration, in order. Listed explicitly (not globbed) so the same list works from the
// compiled app, the migration CLI and Jest. `npm run migration:generate -- <Name>` appends here.
export const migrations: (new () => MigrationInterface)[] = [
  StaffAccounts1795931849239,
  AuditLog1795940000000,
  Inquiries1795934740982,
  InquiryDuplicates1795936000000,
  Contacts1795935065505,
  DuplicateIndexFastupdate1795937000000,
  NameSearchKey1795941000000,
  NameSearchIndexes1795942000000,
  MailOut1795944649151,
  CallbackOverdueNotice1795945374516,
  MailIntake1795947504210,
  MailIntakeImapAttachments1795950552691,
  InboundContentHash1795955520746,
  IdentityConfirmation1795961989864,
  PrisonerNameKeys1795962000000,
  VerificationDocumentIndex1795963000000,
  Travel1795964192682,
  BorderCrossingsSeed1795964200000,
  Handover1795964565970,
  StatusLinks1795964894470,
  CrossingOverdueNotice1795965113897,
  ReportTallies1795966000000,
  Pseudonymisation1795982386609,
  DisclosureGate1796517480894,
  HandoverAppointmentVersion1796525052604,
  IntakeReview1796610000000,
  PersonsAndSearches1796620000000,
  FamilyMessages1796630000000,
  FamilyChannels1796640000000,
];
