import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MailIntake1795947504210 implements MigrationInterface {
  name = 'MailIntake1795947504210';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "inbound_email" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "source" text NOT NULL, "raw" bytea NOT NULL, "sha256" text NOT NULL, "size_bytes" integer NOT NULL, "message_id" text, "in_reply_to" text, "references" text array NOT NULL DEFAULT '{}', "from_address" text, "from_name" text, "subject" text, "text_body" text, "language" text, "outcome" text NOT NULL DEFAULT 'received', "inquiry_id" uuid, "needs_review" boolean NOT NULL DEFAULT false, "reason" text, "processed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "inbound_email_outcome_known" CHECK ("outcome" IN ('received', 'attached', 'opened', 'auto_reply', 'bounce', 'ignored', 'quarantined', 'discarded')), CONSTRAINT "PK_72dfbf0cb49a0bf62c5b4732d92" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "inbound_email_sha256_key" ON "inbound_email"  ("sha256") `,
    );
    await queryRunner.query(
      `CREATE INDEX "inbound_email_message_id_idx" ON "inbound_email"  ("message_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "inbound_email_inquiry_idx" ON "inbound_email"  ("inquiry_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "inbound_email_outcome_idx" ON "inbound_email"  ("outcome", "received_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "inbound_email" ADD CONSTRAINT "FK_inbound_email_inquiry" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "inbound_email" DROP CONSTRAINT "FK_inbound_email_inquiry"`,
    );
    await queryRunner.query(`DROP INDEX "public"."inbound_email_outcome_idx"`);
    await queryRunner.query(`DROP INDEX "public"."inbound_email_inquiry_idx"`);
    await queryRunner.query(`DROP INDEX "public"."inbound_email_message_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."inbound_email_sha256_key"`);
    await queryRunner.query(`DROP TABLE "inbound_email"`);
  }
}
