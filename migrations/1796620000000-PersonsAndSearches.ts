import type { MigrationInterface, QueryRunner } from 'typeorm';

// Persons and searches (issue 20). Before: one `inquirer` row per inquiry, holding the
// relationship. After: one `inquirer` row per person (the relationship moves to each inquiry), and
// one `search` per sought man that every relative's inquiry hangs on.
//
// The data: records of one person are joined when they carry the same name (hc_name_key: any
// script, spelling, ё/е) and share a phone or an email — each join a `person_merge` row by
// system:migration, not confirmed, so supervisors see and can undo every one. A record joins the
// oldest record it shares a name and a contact with (then that one's survivor, and so on). Each
// inquiry gets a search: inquiries merged as duplicates share their survivor's, and inquiries
// whose confirmed registry match is the same prisoner share one; the rest one each. `down` undoes
// every person merge (newest first), so each inquiry goes back to the record it had, gives each
// record its earliest inquiry's relationship, and drops the rest.

export class PersonsAndSearches1796620000000 implements MigrationInterface {
  name = 'PersonsAndSearches1796620000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "search" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0bdd0dc9f37fc71a6050de7ae7f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "person_merge" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "survivor_id" uuid NOT NULL, "absorbed_id" uuid NOT NULL, "inquiry_ids" uuid array NOT NULL, "survivor_before" jsonb NOT NULL, "reason" text NOT NULL, "merged_by" text NOT NULL, "merged_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "confirmed_by" text, "confirmed_at" TIMESTAMP WITH TIME ZONE, "undone_by" text, "undone_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "person_merge_decided_once" CHECK ("confirmed_at" IS NULL OR "undone_at" IS NULL), CONSTRAINT "person_merge_different" CHECK ("survivor_id" <> "absorbed_id"), CONSTRAINT "PK_f8d71f886ba46df618c420db414" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "person_merge_survivor_idx" ON "person_merge"  ("survivor_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "person_merge_open_key" ON "person_merge"  ("absorbed_id") WHERE "undone_at" IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquirer" ADD "other_names" text array NOT NULL DEFAULT '{}'`,
    );
    await queryRunner.query(`ALTER TABLE "inquirer" ADD "merged_into" uuid`);
    // A person's name compared whatever its word order (Коваль Марія = Марія Коваль = Mariia
    // Koval): the words of hc_name_key, sorted.
    await queryRunner.query(
      `CREATE FUNCTION hc_person_key(name text) RETURNS text
       LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
       SET search_path = pg_catalog, public, pg_temp
       RETURN (SELECT string_agg(w, ' ' ORDER BY w)
               FROM regexp_split_to_table(hc_name_key(name), '\\s+') AS w WHERE w <> '')`,
    );
    await queryRunner.query(`ALTER TABLE "inquiry" ADD "relationship" text`);
    await queryRunner.query(`ALTER TABLE "inquiry" ADD "search_id" uuid`);
    await this.moveData(queryRunner);
    await queryRunner.query(`ALTER TABLE "inquiry" ALTER COLUMN "relationship" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "inquiry" ALTER COLUMN "search_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "inquirer" DROP COLUMN "relationship"`);
    // Possible duplicates by the sought man's name (issue 20), whoever asks.
    await queryRunner.query(
      `CREATE INDEX "sought_person_name_key_idx" ON "sought_person"
       (hc_name_key("surname"), hc_name_key("given_name"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "inquirer_merged_into_idx" ON "inquirer"  ("merged_into") `,
    );
    await queryRunner.query(`CREATE INDEX "inquiry_search_id_idx" ON "inquiry"  ("search_id") `);
    await queryRunner.query(
      `ALTER TABLE "inquirer" ADD CONSTRAINT "inquirer_not_merged_into_itself" CHECK ("merged_into" IS NULL OR "merged_into" <> "id")`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry" ADD CONSTRAINT "inquiry_relationship_known" CHECK ("relationship" IN ('mother', 'father', 'wife', 'husband', 'sister', 'brother', 'daughter', 'son', 'grandmother', 'grandfather', 'other_relative', 'other'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry" ADD CONSTRAINT "inquiry_previous_status_known" CHECK ("previous_status" IS NULL OR "previous_status" IN ('received', 'gathering_information', 'verifying', 'detention_confirmed', 'travel_planning', 'in_transit', 'handover_scheduled', 'on_hold', 'handed_over', 'closed_not_found', 'closed_withdrawn', 'closed_rejected', 'closed_declined_by_prisoner', 'closed_duplicate'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry" ADD CONSTRAINT "inquiry_status_known" CHECK ("status" IN ('received', 'gathering_information', 'verifying', 'detention_confirmed', 'travel_planning', 'in_transit', 'handover_scheduled', 'on_hold', 'handed_over', 'closed_not_found', 'closed_withdrawn', 'closed_rejected', 'closed_declined_by_prisoner', 'closed_duplicate'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquirer" ADD CONSTRAINT "FK_inquirer_merged_into" FOREIGN KEY ("merged_into") REFERENCES "inquirer"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry" ADD CONSTRAINT "FK_5627204d7a8d327222a45887bc1" FOREIGN KEY ("search_id") REFERENCES "search"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "person_merge" ADD CONSTRAINT "FK_e7166f1a8f59193932c6f93d2f3" FOREIGN KEY ("survivor_id") REFERENCES "inquirer"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "person_merge" ADD CONSTRAINT "FK_d3c869acd3fffff578f41ce6e6e" FOREIGN KEY ("absorbed_id") REFERENCES "inquirer"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  private async moveData(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE inquiry i SET relationship = r.relationship FROM inquirer r WHERE r.id = i.inquirer_id`,
    );
    // Searches: the root of each duplicate chain, keyed by its confirmed prisoner if it has one.
    await q.query(
      `CREATE TEMP TABLE search_of ON COMMIT DROP AS
       WITH RECURSIVE chain AS (
         SELECT id, id AS root FROM inquiry WHERE duplicate_of IS NULL
         UNION ALL
         SELECT i.id, c.root FROM inquiry i JOIN chain c ON i.duplicate_of = c.id)
       SELECT c.id AS inquiry_id, coalesce('p:' || m.prisoner_id, 'i:' || c.root) AS key
       FROM chain c
       LEFT JOIN LATERAL (SELECT prisoner_id FROM inquiry_match
         WHERE inquiry_id = c.root AND state = 'confirmed'
         ORDER BY countersigned_at DESC NULLS LAST, proposed_at DESC LIMIT 1) m ON true`,
    );
    await q.query(
      `CREATE TEMP TABLE search_key ON COMMIT DROP AS
       SELECT s.key, gen_random_uuid() AS search_id, min(i.created_at) AS created_at
       FROM search_of s JOIN inquiry i ON i.id = s.inquiry_id GROUP BY s.key`,
    );
    await q.query(
      `INSERT INTO search (id, created_at) SELECT search_id, created_at FROM search_key`,
    );
    await q.query(
      `UPDATE inquiry i SET search_id = k.search_id
       FROM search_of s JOIN search_key k ON k.key = s.key WHERE s.inquiry_id = i.id`,
    );
    // Persons: each record's oldest namesake sharing a contact with it.
    await q.query(
      `CREATE TEMP TABLE person_join ON COMMIT DROP AS
       WITH contact AS (
         SELECT r.id, r.created_at, hc_person_key(r.full_name) AS name_key, c.value
         FROM inquirer r CROSS JOIN LATERAL unnest(r.phones || r.emails) AS c(value)),
       firsts AS (
         SELECT id, first_value(id) OVER w AS survivor_id,
           first_value(created_at) OVER w AS survivor_at
         FROM contact WHERE name_key IS NOT NULL
         WINDOW w AS (PARTITION BY name_key, value ORDER BY created_at, id))
       SELECT DISTINCT ON (id) id AS absorbed_id, survivor_id FROM firsts
       WHERE survivor_id <> id ORDER BY id, survivor_at, survivor_id`,
    );
    // A survivor that is itself joined to an older record: follow to the oldest.
    for (;;) {
      const [, moved] = (await q.query(
        `UPDATE person_join j SET survivor_id = k.survivor_id
         FROM person_join k WHERE j.survivor_id = k.absorbed_id`,
      )) as [unknown, number];
      if (!moved) break;
    }
    await q.query(
      `INSERT INTO person_merge (survivor_id, absorbed_id, inquiry_ids, survivor_before, reason,
         merged_by)
       SELECT j.survivor_id, j.absorbed_id,
         coalesce((SELECT array_agg(i.id ORDER BY i.created_at) FROM inquiry i
                   WHERE i.inquirer_id = j.absorbed_id), '{}'),
         jsonb_build_object('otherNames', s.other_names, 'phones', s.phones, 'emails', s.emails,
                            'undeliverableEmails', s.undeliverable_emails),
         'same name and a shared phone or email (joined when persons were introduced)',
         'system:migration'
       FROM person_join j JOIN inquirer s ON s.id = j.survivor_id`,
    );
    await q.query(
      `UPDATE inquiry i SET inquirer_id = j.survivor_id
       FROM person_join j WHERE i.inquirer_id = j.absorbed_id`,
    );
    await q.query(
      `UPDATE inquirer s SET
         other_names = array(SELECT DISTINCT n FROM unnest(s.other_names || a.names) n
                             WHERE n <> s.full_name ORDER BY n),
         phones = s.phones || array(SELECT x FROM unnest(a.phones) x WHERE x <> ALL(s.phones)),
         emails = s.emails || array(SELECT x FROM unnest(a.emails) x WHERE x <> ALL(s.emails)),
         undeliverable_emails = s.undeliverable_emails
           || array(SELECT x FROM unnest(a.undeliverable) x WHERE x <> ALL(s.undeliverable_emails))
       FROM (SELECT j.survivor_id, array_agg(r.full_name) AS names,
               coalesce(array_agg(DISTINCT p) FILTER (WHERE p IS NOT NULL), '{}') AS phones,
               coalesce(array_agg(DISTINCT e) FILTER (WHERE e IS NOT NULL), '{}') AS emails,
               coalesce(array_agg(DISTINCT u) FILTER (WHERE u IS NOT NULL), '{}') AS undeliverable
             FROM person_join j JOIN inquirer r ON r.id = j.absorbed_id
             LEFT JOIN LATERAL unnest(r.phones) p ON true
             LEFT JOIN LATERAL unnest(r.emails) e ON true
             LEFT JOIN LATERAL unnest(r.undeliverable_emails) u ON true
             GROUP BY j.survivor_id) a
       WHERE s.id = a.survivor_id`,
    );
    await q.query(
      `UPDATE inquirer r SET merged_into = j.survivor_id FROM person_join j WHERE r.id = j.absorbed_id`,
    );
  }

  // Every person merge undone, newest first: inquiries back to the record they came from, the
  // survivor's names and contacts as they were.
  private async undoMerges(q: QueryRunner): Promise<void> {
    const merges = (await q.query(
      `SELECT id FROM person_merge WHERE undone_at IS NULL ORDER BY merged_at DESC, id DESC`,
    )) as { id: string }[];
    for (const { id } of merges) {
      await q.query(
        `UPDATE inquiry i SET inquirer_id = m.absorbed_id
         FROM person_merge m WHERE m.id = $1 AND i.id = ANY(m.inquiry_ids)`,
        [id],
      );
      await q.query(
        `UPDATE inquirer s SET other_names = ARRAY(SELECT jsonb_array_elements_text(m.survivor_before->'otherNames')),
           phones = ARRAY(SELECT jsonb_array_elements_text(m.survivor_before->'phones')),
           emails = ARRAY(SELECT jsonb_array_elements_text(m.survivor_before->'emails')),
           undeliverable_emails = ARRAY(SELECT jsonb_array_elements_text(m.survivor_before->'undeliverableEmails'))
         FROM person_merge m WHERE m.id = $1 AND s.id = m.survivor_id`,
        [id],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await this.undoMerges(queryRunner);
    await queryRunner.query(`UPDATE inquirer SET merged_into = NULL`);
    await queryRunner.query(`DROP INDEX "public"."sought_person_name_key_idx"`);
    await queryRunner.query(
      `ALTER TABLE "person_merge" DROP CONSTRAINT "FK_d3c869acd3fffff578f41ce6e6e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "person_merge" DROP CONSTRAINT "FK_e7166f1a8f59193932c6f93d2f3"`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry" DROP CONSTRAINT "FK_5627204d7a8d327222a45887bc1"`,
    );
    await queryRunner.query(`ALTER TABLE "inquirer" DROP CONSTRAINT "FK_inquirer_merged_into"`);
    await queryRunner.query(`ALTER TABLE "inquiry" DROP CONSTRAINT "inquiry_status_known"`);
    await queryRunner.query(
      `ALTER TABLE "inquiry" DROP CONSTRAINT "inquiry_previous_status_known"`,
    );
    await queryRunner.query(`ALTER TABLE "inquiry" DROP CONSTRAINT "inquiry_relationship_known"`);
    await queryRunner.query(
      `ALTER TABLE "inquirer" DROP CONSTRAINT "inquirer_not_merged_into_itself"`,
    );
    await queryRunner.query(`DROP INDEX "public"."inquiry_search_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."inquirer_merged_into_idx"`);
    await queryRunner.query(`ALTER TABLE "inquirer" ADD "relationship" text`);
    // Each record its earliest inquiry's relationship (a person asking about two men had two).
    await queryRunner.query(
      `UPDATE inquirer r SET relationship = coalesce((SELECT i.relationship FROM inquiry i
         WHERE i.inquirer_id = r.id ORDER BY i.created_at, i.id LIMIT 1), 'other')`,
    );
    await queryRunner.query(`ALTER TABLE "inquirer" ALTER COLUMN "relationship" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "inquiry" DROP COLUMN "search_id"`);
    await queryRunner.query(`ALTER TABLE "inquiry" DROP COLUMN "relationship"`);
    await queryRunner.query(`ALTER TABLE "inquirer" DROP COLUMN "merged_into"`);
    await queryRunner.query(`ALTER TABLE "inquirer" DROP COLUMN "other_names"`);
    await queryRunner.query(`DROP INDEX "public"."person_merge_open_key"`);
    await queryRunner.query(`DROP INDEX "public"."person_merge_survivor_idx"`);
    await queryRunner.query(`DROP TABLE "person_merge"`);
    await queryRunner.query(`DROP TABLE "search"`);
    await queryRunner.query(`DROP FUNCTION hc_person_key(text)`);
  }
}
