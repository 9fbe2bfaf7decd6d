import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ContactTrustService } from '../disclosure/contact-trust.service.js';

export type SignalKind =
  | 'shared_contact'
  | 'shared_document'
  | 'prisoner_sought_by_several'
  | 'contact_changed_after_verification';

export interface FraudSignal {
  kind: SignalKind;
  // The other cases involved; each of them shows the same signal pointing back here.
  inquiries: { id: string; reference: string }[];
}

// Whom a case seeks, as compared: the key of surname and given name (any script).
const SOUGHT = (p: string) => `hc_name_key(${p}.surname || ' ' || coalesce(${p}.given_name, ''))`;

// Signals that someone may be using the process to find a prisoner they have no claim on:
// - shared_contact: the inquirer's phone or email is on a case about someone else;
// - shared_document: a document shown at verification was shown on a case about someone else
//   (compared by keyed digest: the numbers stay sealed);
// - prisoner_sought_by_several: the prisoner proposed or confirmed for this case is proposed or
//   confirmed for a case of an unrelated inquirer (another person sharing no phone or email);
// - contact_changed_after_verification: a verified family's record has an address or number
//   added since, not yet approved by a supervisor (nothing goes to it meanwhile).
// Computed when read, so every case involved shows them at once and none goes stale.
const SIGNALS = `
  WITH me AS (
    SELECT i.id, r.id AS inquirer_id, r.phones, r.emails, ${SOUGHT('p')} AS sought
    FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id
    LEFT JOIN sought_person p ON p.inquiry_id = i.id
    WHERE i.id = $1
  ),
  shared_contact AS (
    SELECT DISTINCT 'shared_contact' AS kind, i2.id, i2.reference
    FROM me JOIN inquirer r2 ON (r2.phones && me.phones OR r2.emails && me.emails)
    JOIN inquiry i2 ON i2.inquirer_id = r2.id AND i2.id <> me.id AND i2.status <> 'closed_duplicate'
    JOIN sought_person p2 ON p2.inquiry_id = i2.id
    WHERE ${SOUGHT('p2')} IS DISTINCT FROM me.sought
  ),
  shared_document AS (
    SELECT DISTINCT 'shared_document' AS kind, i2.id, i2.reference
    FROM me JOIN inquirer_verification v ON v.inquiry_id = me.id
    CROSS JOIN LATERAL jsonb_array_elements(v.documents) d
    JOIN inquirer_verification v2 ON v2.inquiry_id <> me.id
      AND v2.documents @> jsonb_build_array(jsonb_build_object('numberDigest', d->>'numberDigest'))
    JOIN inquiry i2 ON i2.id = v2.inquiry_id
    LEFT JOIN sought_person p2 ON p2.inquiry_id = i2.id
    WHERE ${SOUGHT('p2')} IS DISTINCT FROM me.sought
  ),
  several AS (
    SELECT DISTINCT 'prisoner_sought_by_several' AS kind, i2.id, i2.reference
    FROM me JOIN inquiry_match m ON m.inquiry_id = me.id AND m.state IN ('proposed', 'confirmed')
    JOIN inquiry_match m2 ON m2.prisoner_id = m.prisoner_id AND m2.inquiry_id <> me.id
      AND m2.state IN ('proposed', 'confirmed')
    JOIN inquiry i2 ON i2.id = m2.inquiry_id
    JOIN inquirer r2 ON r2.id = i2.inquirer_id
    WHERE r2.id <> me.inquirer_id AND NOT (r2.phones && me.phones OR r2.emails && me.emails)
  )
  SELECT * FROM shared_contact UNION ALL SELECT * FROM shared_document
  UNION ALL SELECT * FROM several
  ORDER BY kind, reference`;

@Injectable()
export class FraudSignalsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly trust: ContactTrustService,
  ) {}

  async forInquiry(inquiryId: string): Promise<FraudSignal[]> {
    const rows = (await this.dataSource.query(SIGNALS, [inquiryId])) as {
      kind: SignalKind;
      id: string;
      reference: string;
    }[];
    const byKind = new Map<SignalKind, FraudSignal>();
    for (const row of rows) {
      const signal = byKind.get(row.kind) ?? { kind: row.kind, inquiries: [] };
      signal.inquiries.push({ id: row.id, reference: row.reference });
      byKind.set(row.kind, signal);
    }
    const signals = [...byKind.values()];
    if ((await this.trust.pendingCount(this.dataSource.manager, inquiryId)) > 0) {
      signals.push({ kind: 'contact_changed_after_verification', inquiries: [] });
    }
    return signals;
  }
}
