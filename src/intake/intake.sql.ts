import { PreparedStatement } from '../database/prepared-statement.js';

// The intake pipeline's statements on its hot path: named, so that each connection parses and
// plans them once (see PreparedStatement).

// What the pipeline writes on a message's row, in this order (decidedValues).
export const DECIDED_COLUMNS = `message_id, in_reply_to, "references", from_address, from_name, subject,
  text_body, language, outcome, inquiry_id, needs_review, reason, html_body, authentication,
  hints, processed_at`;
export const DECIDED_PLACEHOLDERS = (first: number) =>
  [...Array.from({ length: 15 }, (_, i) => `$${first + i}`), 'now()'].join(', ');

// A message written once, decided. The same message stored already — the same bytes, or the
// same Message-ID and body come by another path — (or by a concurrent run, whose commit this
// waits for) returns no row.
export const STORE = new PreparedStatement<{ id: string }>(
  'homecoming_intake_store_v2',
  `INSERT INTO inbound_email (id, source, raw, sha256, content_sha256, size_bytes,
     ${DECIDED_COLUMNS})
   VALUES ($1, $2, $3, $4, $5, $6, ${DECIDED_PLACEHOLDERS(7)})
   ON CONFLICT DO NOTHING RETURNING id`,
);

// The case a message belongs to, the ways in order of precedence (see thread()), and whether its
// sender is one of the case's family's addresses (else it is attached for review, however it
// found the case). Written so that its generic plan reads every branch by an index, whatever the
// tables' sizes: the Message-IDs and the sender's inquiries through LATERAL lookups, each with
// its LIMIT. A case whose personal data was removed takes no more mail: a family writing again
// starts a new one.
export const THREAD = new PreparedStatement<{
  inquiry_id: string;
  needs_review: boolean;
  reference: string;
  assigned_to: string | null;
}>(
  'homecoming_intake_thread_v4',
  `SELECT t.inquiry_id, (NOT ($2::text = ANY(i.emails)) OR t.ambiguous) AS needs_review,
     i.reference, i.assigned_to
  FROM (
    (SELECT i.id AS inquiry_id, 1 AS rank, false AS ambiguous FROM inquiry i WHERE i.reference = $1)
    UNION ALL
    (SELECT o.inquiry_id, 2, false FROM unnest($3::text[]) AS m(id)
     CROSS JOIN LATERAL (SELECT inquiry_id FROM outbox_message
       WHERE message_id = m.id AND inquiry_id IS NOT NULL LIMIT 1) o
     LIMIT 1)
    UNION ALL
    (SELECT e.inquiry_id, 3, false FROM unnest($3::text[]) AS m(id)
     CROSS JOIN LATERAL (SELECT inquiry_id FROM inbound_email
       WHERE message_id = m.id AND inquiry_id IS NOT NULL LIMIT 1) e
     LIMIT 1)
    UNION ALL
    -- The sender's person's latest open case; a person with more than one open case (a mother
    -- asking about two sons) gets it attached for review: which son is a person's call.
    (SELECT c.id, 4, c.open_cases > 1 FROM inquirer r
     CROSS JOIN LATERAL (SELECT id, created_at, count(*) OVER () AS open_cases FROM inquiry
       WHERE inquirer_id = r.id AND status NOT LIKE 'closed_%' AND status <> 'handed_over'
       ORDER BY created_at DESC LIMIT 1) c
     WHERE r.emails @> ARRAY[$2::text] AND r.merged_into IS NULL
     ORDER BY c.created_at DESC LIMIT 1)
  ) t
  CROSS JOIN LATERAL (SELECT c.reference, c.assigned_to, r.emails FROM inquiry c
                      JOIN inquirer r ON r.id = c.inquirer_id
                      WHERE c.id = t.inquiry_id AND c.pseudonymised_at IS NULL OFFSET 0) i
  ORDER BY t.rank LIMIT 1`,
);

// Every attachment of a message listed, kept or not, in one statement (a column per array).
export const KEEP_ATTACHMENTS = new PreparedStatement(
  'homecoming_intake_attachments_v1',
  `INSERT INTO inbound_attachment (inbound_email_id, position, filename, declared_type,
    sniffed_type, size_bytes, sha256, stored, blocked, reason)
  SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int[],
    $7::text[], $8::boolean[], $9::boolean[], $10::text[])`,
);
