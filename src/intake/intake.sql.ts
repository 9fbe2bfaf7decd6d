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

// The case a letter we received is on, by its Message-ID: the first of those given that is.
export const ANSWERED = new PreparedStatement<{ inquiry_id: string }>(
  'homecoming_intake_answered_v1',
  `SELECT e.inquiry_id FROM unnest($1::text[]) AS m(id)
   CROSS JOIN LATERAL (SELECT inquiry_id FROM inbound_email
     WHERE message_id = m.id AND inquiry_id IS NOT NULL LIMIT 1) e
   LIMIT 1`,
);

// Every attachment of a message listed, kept or not, in one statement (a column per array).
export const KEEP_ATTACHMENTS = new PreparedStatement(
  'homecoming_intake_attachments_v1',
  `INSERT INTO inbound_attachment (inbound_email_id, position, filename, declared_type,
    sniffed_type, size_bytes, sha256, stored, blocked, reason)
  SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int[],
    $7::text[], $8::boolean[], $9::boolean[], $10::text[])`,
);
