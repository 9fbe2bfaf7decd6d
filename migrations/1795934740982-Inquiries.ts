import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Inquiries1795934740982 implements MigrationInterface {
  name = 'Inquiries1795934740982';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Case references HC-<year>-<n>: n from this sequence, never reused (not even after a
    // rolled-back create).
    await queryRunner.query(`CREATE SEQUENCE "inquiry_reference_seq" AS bigint START 1`);
    await queryRunner.query(
      `CREATE TABLE "idempotency_key" ("scope" text NOT NULL, "key" text NOT NULL, "request_hash" text NOT NULL, "response_status" integer, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2738e797ef2c60d9a902bad976a" PRIMARY KEY ("scope", "key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "inquirer" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "full_name" text NOT NULL, "relationship" text NOT NULL, "phones" text array NOT NULL DEFAULT '{}', "emails" text array NOT NULL DEFAULT '{}', "preferred_language" text NOT NULL DEFAULT 'ru', "country" text, "city" text, "notes" text, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "inquirer_language_known" CHECK ("preferred_language" IN ('ru', 'uk', 'en')), CONSTRAINT "PK_bf29f8f8478e79ccaf298098a75" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "inquiry" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reference" text NOT NULL, "channel" text NOT NULL, "status" text NOT NULL, "previous_status" text, "priority" text NOT NULL DEFAULT 'normal', "assigned_to" uuid, "inquirer_id" uuid NOT NULL, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "inquiry_reference_format" CHECK ("reference" ~ '^HC-[0-9]{4}-[0-9]{6,}$'), CONSTRAINT "inquiry_priority_known" CHECK ("priority" IN ('normal', 'high', 'urgent')), CONSTRAINT "inquiry_channel_known" CHECK ("channel" IN ('phone', 'email', 'web', 'in_person')), CONSTRAINT "PK_3e226d0994e8bd24252dd65e1b6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "inquiry_reference_key" ON "inquiry"  ("reference") `,
    );
    await queryRunner.query(`CREATE INDEX "inquiry_status_idx" ON "inquiry"  ("status") `);
    await queryRunner.query(
      `CREATE INDEX "inquiry_assigned_to_idx" ON "inquiry"  ("assigned_to") `,
    );
    await queryRunner.query(
      `CREATE INDEX "inquiry_inquirer_id_idx" ON "inquiry"  ("inquirer_id") `,
    );
    await queryRunner.query(`CREATE INDEX "inquiry_created_at_idx" ON "inquiry"  ("created_at") `);
    await queryRunner.query(
      `CREATE TABLE "inquiry_status_history" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "status" text NOT NULL, "transition" text, "entered_at" TIMESTAMP WITH TIME ZONE NOT NULL, "left_at" TIMESTAMP WITH TIME ZONE, "actor" text NOT NULL, "reason" text, CONSTRAINT "PK_316f64d771981f1adbb12047978" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "inquiry_status_history_inquiry_idx" ON "inquiry_status_history"  ("inquiry_id", "entered_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "outbox_message" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "event_type" text NOT NULL, "inquiry_id" uuid, "recipient_kind" text NOT NULL, "recipient_id" uuid, "payload" jsonb NOT NULL DEFAULT '{}', "state" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "available_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, "last_error" text, CONSTRAINT "outbox_recipient_kind_known" CHECK ("recipient_kind" IN ('inquirer', 'staff')), CONSTRAINT "outbox_state_known" CHECK ("state" IN ('pending', 'sending', 'sent', 'failed', 'suppressed')), CONSTRAINT "PK_2f36ee5236f2793f3e7bd554589" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "outbox_inquiry_idx" ON "outbox_message"  ("inquiry_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "outbox_pending_idx" ON "outbox_message"  ("state", "available_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sought_person" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "surname" text NOT NULL, "given_name" text, "patronymic" text, "birth_year" smallint, "birth_month" smallint, "birth_day" smallint, "place_of_birth" text, "military_unit" text, "rank" text, "personal_number" text, "mothers_maiden_name" text, "fathers_first_name" text, "distinguishing_marks" text, CONSTRAINT "sought_person_birth_date_partial" CHECK (("birth_day" IS NULL OR "birth_month" IS NOT NULL) AND ("birth_month" IS NULL OR "birth_year" IS NOT NULL)), CONSTRAINT "sought_person_birth_day_range" CHECK ("birth_day" IS NULL OR "birth_day" BETWEEN 1 AND 31), CONSTRAINT "sought_person_birth_month_range" CHECK ("birth_month" IS NULL OR "birth_month" BETWEEN 1 AND 12), CONSTRAINT "PK_0cf0b3bc6253782ca426cfb2967" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "sought_person_inquiry_id_key" ON "sought_person"  ("inquiry_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry" ADD CONSTRAINT "FK_0523391eef96c1662f2793dd637" FOREIGN KEY ("assigned_to") REFERENCES "staff_user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry" ADD CONSTRAINT "FK_c31620ccbefc3ae3a8a5785c5d0" FOREIGN KEY ("inquirer_id") REFERENCES "inquirer"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry_status_history" ADD CONSTRAINT "FK_523beecd8104db67cdeae6f9cbf" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sought_person" ADD CONSTRAINT "FK_4504dbf5489b58349c25752c208" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "sought_person" DROP CONSTRAINT "FK_4504dbf5489b58349c25752c208"`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry_status_history" DROP CONSTRAINT "FK_523beecd8104db67cdeae6f9cbf"`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry" DROP CONSTRAINT "FK_c31620ccbefc3ae3a8a5785c5d0"`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry" DROP CONSTRAINT "FK_0523391eef96c1662f2793dd637"`,
    );
    await queryRunner.query(`DROP INDEX "public"."sought_person_inquiry_id_key"`);
    await queryRunner.query(`DROP TABLE "sought_person"`);
    await queryRunner.query(`DROP INDEX "public"."outbox_pending_idx"`);
    await queryRunner.query(`DROP INDEX "public"."outbox_inquiry_idx"`);
    await queryRunner.query(`DROP TABLE "outbox_message"`);
    await queryRunner.query(`DROP INDEX "public"."inquiry_status_history_inquiry_idx"`);
    await queryRunner.query(`DROP TABLE "inquiry_status_history"`);
    await queryRunner.query(`DROP INDEX "public"."inquiry_created_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."inquiry_inquirer_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."inquiry_assigned_to_idx"`);
    await queryRunner.query(`DROP INDEX "public"."inquiry_status_idx"`);
    await queryRunner.query(`DROP INDEX "public"."inquiry_reference_key"`);
    await queryRunner.query(`DROP TABLE "inquiry"`);
    await queryRunner.query(`DROP TABLE "inquirer"`);
    await queryRunner.query(`DROP TABLE "idempotency_key"`);
    await queryRunner.query(`DROP SEQUENCE "inquiry_reference_seq"`);
  }
}
