import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Handover1795964565970 implements MigrationInterface {
  name = 'Handover1795964565970';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "handover_location" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name_uk" text NOT NULL, "name_ru" text NOT NULL, "name_en" text NOT NULL, "address" text NOT NULL, "instructions_uk" text NOT NULL, "instructions_ru" text NOT NULL, "instructions_en" text NOT NULL, "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c8091e6aff213c8a71ba6a75511" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "handover_appointment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "location_id" uuid NOT NULL, "scheduled_at" TIMESTAMP WITH TIME ZONE NOT NULL, "officials" text array NOT NULL, "state" text NOT NULL DEFAULT 'scheduled', "reason" text, "arrival_override_by" uuid, "arrival_override_reason" text, "handed_over_at" TIMESTAMP WITH TIME ZONE, "act_number" text, "completed_by" uuid, "confirmed_by" uuid, "confirmed_at" TIMESTAMP WITH TIME ZONE, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "handover_appointment_completion_whole" CHECK ("state" NOT IN ('awaiting_confirmation', 'completed') OR ("handed_over_at" IS NOT NULL AND "act_number" IS NOT NULL AND "completed_by" IS NOT NULL)), CONSTRAINT "handover_appointment_four_eyes" CHECK ("confirmed_by" IS NULL OR "confirmed_by" <> "completed_by"), CONSTRAINT "handover_appointment_state_known" CHECK ("state" IN ('scheduled', 'postponed', 'failed', 'awaiting_confirmation', 'completed')), CONSTRAINT "PK_271eb6e7f788512cbb249028edc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "handover_appointment_inquiry_idx" ON "handover_appointment"  ("inquiry_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "handover_appointment_one_open" ON "handover_appointment"  ("inquiry_id") WHERE "state" IN ('scheduled', 'awaiting_confirmation', 'completed')`,
    );
    await queryRunner.query(
      `ALTER TABLE "handover_appointment" ADD CONSTRAINT "FK_f78eef60411fc019a0aebb47c51" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "handover_appointment" ADD CONSTRAINT "FK_41c2c52734972af70b9c72e29b2" FOREIGN KEY ("location_id") REFERENCES "handover_location"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "handover_appointment" DROP CONSTRAINT "FK_41c2c52734972af70b9c72e29b2"`,
    );
    await queryRunner.query(
      `ALTER TABLE "handover_appointment" DROP CONSTRAINT "FK_f78eef60411fc019a0aebb47c51"`,
    );
    await queryRunner.query(`DROP INDEX "public"."handover_appointment_one_open"`);
    await queryRunner.query(`DROP INDEX "public"."handover_appointment_inquiry_idx"`);
    await queryRunner.query(`DROP TABLE "handover_appointment"`);
    await queryRunner.query(`DROP TABLE "handover_location"`);
  }
}
