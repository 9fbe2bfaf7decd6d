import type { EntityManager } from 'typeorm';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { PreparedStatement } from '../database/prepared-statement.js';

// Which existing person a new contact is. THE rule, used by every door that opens an inquiry
// (the API, a family's first letter, the channels to come):
//
// - A person is recognised by a phone or an email they already gave AND the same name (by
//   hc_person_key: any script, spelling, ё/е, word order, or one of the names they are also
//   known by). A contact verified as theirs (trusted when one of their inquiries was verified,
//   or approved since) comes first: of two such records, the verified one. Then the inquiry is
//   theirs, and the match is recorded on the case (`person.matched`, by what, verified or not).
// - A shared contact under another name (a family's home phone, a father writing from the
//   mother's address) is never joined: a new person is made and the other is offered as a
//   suggestion for a supervisor, who may merge the two (reversibly).
// - Names alone never join anyone.
// - Where the door cannot know the name (a letter's From may carry none, or a nickname), it may
//   trust the address alone (`trustAddress`): one address is one mailbox.
export interface PersonContact {
  fullName: string;
  phones: readonly string[];
  emails: readonly string[];
}

export interface PersonMatch {
  personId: string;
  by: 'phone' | 'email';
  // The shared contact was verified as theirs.
  verified: boolean;
}

export interface PersonSuggestion {
  id: string;
  fullName: string;
  samePhone: boolean;
  sameEmail: boolean;
  // The same name too: two records of one person, most likely (a supervisor merges them).
  sameName: boolean;
  // A shared contact was verified as theirs.
  verified: boolean;
}

export interface PersonResolution {
  match: PersonMatch | null;
  // Persons sharing a contact under another name: for a supervisor to look at.
  suggestions: PersonSuggestion[];
}

// Persons (not merged into another) holding any of the contacts, those for whom one of them was
// verified first, then oldest first. Most callers are
// new: this lookup (GIN) usually finds no one, and only then are names compared (NAMES), for
// those found — hc_person_key is costly, and in one statement with the lookup it made every
// create plan and fold it anew.
export const SHARING = new PreparedStatement<Omit<PersonSuggestion, 'sameName'>>(
  'homecoming_person_sharing_v2',
  `SELECT r.id, r.full_name AS "fullName", (r.phones && $1::text[]) AS "samePhone",
     (r.emails && $2::text[]) AS "sameEmail",
     EXISTS (SELECT 1 FROM inquiry i JOIN trusted_contact t ON t.inquiry_id = i.id
             WHERE i.inquirer_id = r.id
               AND t.value = ANY(CASE t.kind WHEN 'phone' THEN $1::text[] ELSE $2::text[] END))
       AS verified
   FROM inquirer r
   WHERE (r.phones && $1::text[] OR r.emails && $2::text[]) AND r.merged_into IS NULL
   ORDER BY verified DESC, r.created_at, r.id
   LIMIT 20`,
);

// Which of these persons bear the name (or are known by it).
const NAMES = new PreparedStatement<{ id: string }>(
  'homecoming_person_names_v1',
  `SELECT r.id FROM inquirer r, (SELECT hc_person_key($1) AS key) k
   WHERE r.id = ANY($2::uuid[])
     AND (hc_person_key(r.full_name) = k.key
          OR k.key IN (SELECT hc_person_key(n) FROM unnest(r.other_names) n))`,
);

async function sharing(
  manager: EntityManager,
  contact: PersonContact,
  except?: string,
): Promise<PersonSuggestion[]> {
  const rows = (await SHARING.run(manager, [contact.phones, contact.emails])).filter(
    (r) => r.id !== except,
  );
  if (rows.length === 0) return [];
  const named = new Set(
    (await NAMES.run(manager, [contact.fullName, rows.map((r) => r.id)])).map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, sameName: named.has(r.id) }));
}

export async function resolvePerson(
  manager: EntityManager,
  contact: PersonContact,
  options: { trustAddress?: boolean } = {},
): Promise<PersonResolution> {
  if (contact.phones.length === 0 && contact.emails.length === 0) {
    return { match: null, suggestions: [] };
  }
  const rows = await sharing(manager, contact);
  const same =
    rows.find((r) => r.sameName) ??
    (options.trustAddress ? rows.find((r) => r.sameEmail) : undefined);
  return {
    match: same
      ? {
          personId: await lockPerson(manager, same.id),
          by: same.samePhone ? 'phone' : 'email',
          verified: same.verified,
        }
      : null,
    suggestions: rows.filter((r) => r.id !== same?.id),
  };
}

// The person locked for the new inquiry, as they are now: a merge that committed since the
// lookup (its survivor locked them) is followed to the survivor.
async function lockPerson(manager: EntityManager, id: string): Promise<string> {
  for (let current = id; ;) {
    const [row] = (await manager.query(
      `SELECT merged_into FROM inquirer WHERE id = $1 FOR UPDATE`,
      [current],
    )) as { merged_into: string | null }[];
    if (!row?.merged_into) return current;
    current = row.merged_into;
  }
}

// The person's contacts with the new ones added (a recognised person who gives a new phone).
// The version moves only when something was added.
export const ADD_CONTACTS_SQL = (id: string, phones: string, emails: string) => `UPDATE inquirer SET
    phones = phones || array(SELECT DISTINCT x FROM unnest(${phones}::text[]) x WHERE x <> ALL(phones)),
    emails = emails || array(SELECT DISTINCT x FROM unnest(${emails}::text[]) x WHERE x <> ALL(emails)),
    version = version + (NOT (phones @> ${phones}::text[] AND emails @> ${emails}::text[]))::int,
    updated_at = CASE WHEN phones @> ${phones}::text[] AND emails @> ${emails}::text[]
      THEN updated_at ELSE now() END
  WHERE id = ${id}::uuid`;

// For a person already on record: others sharing a contact under another name.
export async function personSuggestions(
  manager: EntityManager,
  person: { id: string; fullName: string; phones: readonly string[]; emails: readonly string[] },
): Promise<PersonSuggestion[]> {
  if (person.phones.length === 0 && person.emails.length === 0) return [];
  // Their own record shares every contact: left out before names are compared.
  return sharing(manager, person, person.id);
}

export const personNotFound = (id: string) =>
  new DomainException('not_found', 'No such person', { detail: `No person ${id}.` });

// The person a record is: itself, or the end of its chain of merges (a record merged into one
// that was merged on in turn is the last survivor's): a merged record's export, conversation and
// erasure are the survivor's.
export async function personOf(manager: EntityManager, id: string): Promise<string> {
  const [row] = (await manager.query(
    `WITH RECURSIVE up AS (
       SELECT id, merged_into FROM inquirer WHERE id = $1
       UNION ALL SELECT r.id, r.merged_into FROM inquirer r JOIN up ON r.id = up.merged_into)
     SELECT id FROM up WHERE merged_into IS NULL`,
    [id],
  )) as { id: string }[];
  if (!row) throw personNotFound(id);
  return row.id;
}

// Every record that is the person `person` (an SQL expression for its id): theirs, and those
// merged into it at any depth. For a statement's IN (…).
export const RECORDS_OF_PERSON = (person: string) => `WITH RECURSIVE down AS (
    SELECT ${person} AS id
    UNION ALL SELECT r.id FROM inquirer r JOIN down ON r.merged_into = down.id)
  SELECT id FROM down`;
