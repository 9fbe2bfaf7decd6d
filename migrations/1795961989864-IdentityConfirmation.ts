import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IdentityConfirmation1795961989864 implements MigrationInterface {
  name = 'IdentityConfirmation1795961989864';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "prisoner" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "personal_number" text NOT NULL, "surname" text NOT NULL, "given_names" text NOT NULL, "patronymic" text, "rank" text, "birth_date" date, "place_of_birth" text, "fathers_first_name" text, "mothers_maiden_name" text, "military_unit" text, "captured_on" date, "place_of_capture" text, "location_category" text NOT NULL DEFAULT 'unknown', "health_notes" text, "surname_key" text NOT NULL DEFAULT '', "given_key" text NOT NULL DEFAULT '', "patronymic_key" text, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "prisoner_location_category_known" CHECK ("location_category" IN ('internment_camp', 'hospital', 'pretrial_detention', 'transit', 'unknown')), CONSTRAINT "PK_4c068e32b4930f506885f4f1c7a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "prisoner_personal_number_key" ON "prisoner"  ("personal_number") `,
    );
    await queryRunner.query(
      `CREATE TABLE "inquiry_match" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "prisoner_id" uuid NOT NULL, "state" text NOT NULL DEFAULT 'proposed', "score" real NOT NULL, "explanation" jsonb NOT NULL, "proposed_by" uuid NOT NULL, "proposed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "countersigned_by" uuid, "countersigned_at" TIMESTAMP WITH TIME ZONE, "rejected_by" uuid, "rejected_at" TIMESTAMP WITH TIME ZONE, "reason" text, CONSTRAINT "inquiry_match_confirmation_signed" CHECK ("state" <> 'confirmed' OR "countersigned_by" IS NOT NULL), CONSTRAINT "inquiry_match_rejection_reason" CHECK ("state" <> 'rejected' OR ("rejected_by" IS NOT NULL AND "reason" IS NOT NULL)), CONSTRAINT "inquiry_match_four_eyes" CHECK ("countersigned_by" IS NULL OR "countersigned_by" <> "proposed_by"), CONSTRAINT "inquiry_match_state_known" CHECK ("state" IN ('proposed', 'confirmed', 'rejected')), CONSTRAINT "PK_08632049e1ddc1beed50fdcc6a1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "inquiry_match_inquiry_idx" ON "inquiry_match"  ("inquiry_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "inquiry_match_prisoner_idx" ON "inquiry_match"  ("prisoner_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "inquiry_match_one_open" ON "inquiry_match"  ("inquiry_id") WHERE "state" IN ('proposed', 'confirmed')`,
    );
    await queryRunner.query(
      `CREATE TABLE "inquirer_verification" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "documents" jsonb NOT NULL DEFAULT '[]', "relationship_evidence" text NOT NULL, "answers" jsonb NOT NULL DEFAULT '[]', "method" text NOT NULL, "outcome" text NOT NULL, "notes" text, "verified_by" uuid NOT NULL, "verified_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "countersigned_by" uuid, "countersigned_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "inquirer_verification_four_eyes" CHECK ("countersigned_by" IS NULL OR "countersigned_by" <> "verified_by"), CONSTRAINT "inquirer_verification_outcome_known" CHECK ("outcome" IN ('verified', 'failed')), CONSTRAINT "inquirer_verification_method_known" CHECK ("method" IN ('video_call', 'callback_verified_number', 'in_person')), CONSTRAINT "PK_9a0c399da28be9833814fea34a4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "inquirer_verification_inquiry_idx" ON "inquirer_verification"  ("inquiry_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "prisoner_consent" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "prisoner_id" uuid NOT NULL, "kind" text NOT NULL, "decision" text NOT NULL, "interviewed_on" date NOT NULL, "interviewed_by" uuid NOT NULL, "recorded_by" uuid NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "notes" text, CONSTRAINT "prisoner_consent_decision_known" CHECK ("decision" IN ('given', 'refused')), CONSTRAINT "prisoner_consent_kind_known" CHECK ("kind" IN ('disclosure', 'handover')), CONSTRAINT "PK_07a292a8c8c046d88c9caaae128" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "prisoner_consent_inquiry_kind_idx" ON "prisoner_consent"  ("inquiry_id", "kind", "recorded_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry_match" ADD CONSTRAINT "FK_ff6fffeea185b2f6f06c26ce65e" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry_match" ADD CONSTRAINT "FK_20d713ff76bf9924c90a1df56c7" FOREIGN KEY ("prisoner_id") REFERENCES "prisoner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquirer_verification" ADD CONSTRAINT "FK_108bffab3d380257317d87ede7f" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "prisoner_consent" ADD CONSTRAINT "FK_3a7fd090f93e1804fb737b21087" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "prisoner_consent" ADD CONSTRAINT "FK_d2dc6a225b288730522693068d8" FOREIGN KEY ("prisoner_id") REFERENCES "prisoner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "prisoner_consent" DROP CONSTRAINT "FK_d2dc6a225b288730522693068d8"`,
    );
    await queryRunner.query(
      `ALTER TABLE "prisoner_consent" DROP CONSTRAINT "FK_3a7fd090f93e1804fb737b21087"`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquirer_verification" DROP CONSTRAINT "FK_108bffab3d380257317d87ede7f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry_match" DROP CONSTRAINT "FK_20d713ff76bf9924c90a1df56c7"`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry_match" DROP CONSTRAINT "FK_ff6fffeea185b2f6f06c26ce65e"`,
    );
    await queryRunner.query(`DROP INDEX "public"."prisoner_consent_inquiry_kind_idx"`);
    await queryRunner.query(`DROP TABLE "prisoner_consent"`);
    await queryRunner.query(`DROP INDEX "public"."inquirer_verification_inquiry_idx"`);
    await queryRunner.query(`DROP TABLE "inquirer_verification"`);
    await queryRunner.query(`DROP INDEX "public"."inquiry_match_one_open"`);
    await queryRunner.query(`DROP INDEX "public"."inquiry_match_prisoner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."inquiry_match_inquiry_idx"`);
    await queryRunner.query(`DROP TABLE "inquiry_match"`);
    await queryRunner.query(`DROP INDEX "public"."prisoner_personal_number_key"`);
    await queryRunner.query(`DROP TABLE "prisoner"`);
  }
}
