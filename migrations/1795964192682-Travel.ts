import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Travel1795964192682 implements MigrationInterface {
  name = 'Travel1795964192682';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "border_crossing" ("id" text NOT NULL, "name_pl" text NOT NULL, "name_uk" text NOT NULL, "name_ru" text NOT NULL, "name_en" text NOT NULL, "address" text NOT NULL, "traffic" text array NOT NULL, "open" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ad9877dba81b03d67235ba82921" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "traveller" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "travel_plan_id" uuid NOT NULL, "position" smallint NOT NULL, "is_inquirer" boolean NOT NULL DEFAULT false, "full_name" text NOT NULL, "relationship" text, "document_kind" text NOT NULL, "document_number_sealed" text NOT NULL, "document_last4" text NOT NULL, CONSTRAINT "PK_b32476dc6461b61d7f00dc42fb2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "travel_plan" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "origin_city" text, "origin_country" text, "planned_entry_into_poland" date, "crossing_point_id" text, "planned_crossing_at" TIMESTAMP WITH TIME ZONE, "escort_name" text, "escort_phone" text, "notes" text, "updated_by" uuid NOT NULL, "version" integer NOT NULL DEFAULT '1', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_68dccd429b96bdc04e6b82c4ec0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "travel_plan_inquiry_key" ON "travel_plan"  ("inquiry_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "travel_plan_crossing_idx" ON "travel_plan"  ("crossing_point_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "travel_event" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "step" text NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "notes" text, "recorded_by" uuid NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "travel_event_step_known" CHECK ("step" IN ('entered_poland', 'at_crossing', 'crossed_into_ukraine', 'met_by_escort', 'arrived_in_kyiv')), CONSTRAINT "PK_68992ac0f014319b49f105494a4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "travel_event_step_key" ON "travel_event"  ("inquiry_id", "step") `,
    );
    await queryRunner.query(
      `ALTER TABLE "traveller" ADD CONSTRAINT "FK_fd04fa4f6248cdbf1c9448ffab3" FOREIGN KEY ("travel_plan_id") REFERENCES "travel_plan"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "travel_plan" ADD CONSTRAINT "FK_51662e97013d8c7c285b39146c8" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "travel_plan" ADD CONSTRAINT "FK_3ee26f18afc48b38e1a23b9f346" FOREIGN KEY ("crossing_point_id") REFERENCES "border_crossing"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "travel_event" ADD CONSTRAINT "FK_797e8cffdf2e1d80b6f60b0da4e" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "travel_event" DROP CONSTRAINT "FK_797e8cffdf2e1d80b6f60b0da4e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "travel_plan" DROP CONSTRAINT "FK_3ee26f18afc48b38e1a23b9f346"`,
    );
    await queryRunner.query(
      `ALTER TABLE "travel_plan" DROP CONSTRAINT "FK_51662e97013d8c7c285b39146c8"`,
    );
    await queryRunner.query(
      `ALTER TABLE "traveller" DROP CONSTRAINT "FK_fd04fa4f6248cdbf1c9448ffab3"`,
    );
    await queryRunner.query(`DROP INDEX "public"."travel_event_step_key"`);
    await queryRunner.query(`DROP TABLE "travel_event"`);
    await queryRunner.query(`DROP INDEX "public"."travel_plan_crossing_idx"`);
    await queryRunner.query(`DROP INDEX "public"."travel_plan_inquiry_key"`);
    await queryRunner.query(`DROP TABLE "travel_plan"`);
    await queryRunner.query(`DROP TABLE "traveller"`);
    await queryRunner.query(`DROP TABLE "border_crossing"`);
  }
}
