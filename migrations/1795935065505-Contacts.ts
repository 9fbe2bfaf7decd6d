import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Contacts1795935065505 implements MigrationInterface {
  name = 'Contacts1795935065505';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "direction" text NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "duration_seconds" integer NOT NULL DEFAULT '0', "outcome" text NOT NULL, "notes" text, "staff_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "call_duration_not_negative" CHECK ("duration_seconds" >= 0), CONSTRAINT "call_outcome_known" CHECK ("outcome" IN ('answered', 'no_answer', 'busy', 'voicemail', 'wrong_number', 'other')), CONSTRAINT "call_direction_known" CHECK ("direction" IN ('inbound', 'outbound')), CONSTRAINT "PK_2098af0169792a34f9cfdd39c47" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "call_staff_id_idx" ON "call"  ("staff_id") `);
    await queryRunner.query(
      `CREATE INDEX "call_inquiry_occurred_at_idx" ON "call"  ("inquiry_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "callback" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "window_minutes" integer NOT NULL DEFAULT '60', "phone" text, "notes" text, "state" text NOT NULL DEFAULT 'open', "created_by" uuid NOT NULL, "completed_by" uuid, "completed_at" TIMESTAMP WITH TIME ZONE, "completing_call_id" uuid, "closing_note" text, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "callback_completing_call_when_done" CHECK ("completing_call_id" IS NULL OR "state" = 'done'), CONSTRAINT "callback_closed_consistent" CHECK (("state" = 'open') = ("completed_at" IS NULL) AND ("state" = 'open') = ("completed_by" IS NULL)), CONSTRAINT "callback_phone_e164" CHECK ("phone" IS NULL OR "phone" ~ '^\\+[1-9][0-9]{6,14}$'), CONSTRAINT "callback_window_range" CHECK ("window_minutes" BETWEEN 0 AND 480), CONSTRAINT "callback_state_known" CHECK ("state" IN ('open', 'done', 'missed', 'cancelled')), CONSTRAINT "PK_3120f6061b840c2605321da3947" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "callback_inquiry_due_at_idx" ON "callback"  ("inquiry_id", "due_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "callback_state_due_at_idx" ON "callback"  ("state", "due_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "call" ADD CONSTRAINT "FK_93a0f6ad22f23073808ca0820bf" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "call" ADD CONSTRAINT "FK_6ad1be2de04591cdbe075483966" FOREIGN KEY ("staff_id") REFERENCES "staff_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "callback" ADD CONSTRAINT "FK_ddbec40909bde4432dbe7ca05d6" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "callback" ADD CONSTRAINT "FK_4c0db753559d79ffd87fcf6dc45" FOREIGN KEY ("created_by") REFERENCES "staff_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "callback" ADD CONSTRAINT "FK_7557a927f9077c625b1c7b0d9ec" FOREIGN KEY ("completed_by") REFERENCES "staff_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "callback" ADD CONSTRAINT "FK_f103edb60f720b0ea04c63a404d" FOREIGN KEY ("completing_call_id") REFERENCES "call"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "callback" DROP CONSTRAINT "FK_f103edb60f720b0ea04c63a404d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "callback" DROP CONSTRAINT "FK_7557a927f9077c625b1c7b0d9ec"`,
    );
    await queryRunner.query(
      `ALTER TABLE "callback" DROP CONSTRAINT "FK_4c0db753559d79ffd87fcf6dc45"`,
    );
    await queryRunner.query(
      `ALTER TABLE "callback" DROP CONSTRAINT "FK_ddbec40909bde4432dbe7ca05d6"`,
    );
    await queryRunner.query(`ALTER TABLE "call" DROP CONSTRAINT "FK_6ad1be2de04591cdbe075483966"`);
    await queryRunner.query(`ALTER TABLE "call" DROP CONSTRAINT "FK_93a0f6ad22f23073808ca0820bf"`);
    await queryRunner.query(`DROP INDEX "public"."callback_state_due_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."callback_inquiry_due_at_idx"`);
    await queryRunner.query(`DROP TABLE "callback"`);
    await queryRunner.query(`DROP INDEX "public"."call_inquiry_occurred_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."call_staff_id_idx"`);
    await queryRunner.query(`DROP TABLE "call"`);
  }
}
