import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MailIntakeImapAttachments1795950552691 implements MigrationInterface {
  name = 'MailIntakeImapAttachments1795950552691';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "inbound_attachment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inbound_email_id" uuid NOT NULL, "position" integer NOT NULL, "filename" text NOT NULL, "declared_type" text NOT NULL, "sniffed_type" text, "size_bytes" integer NOT NULL, "sha256" text NOT NULL, "stored" boolean NOT NULL, "blocked" boolean NOT NULL DEFAULT false, "reason" text, CONSTRAINT "PK_2e6022fdd41b4b273a15f22f207" PRIMARY KEY ("id"))`,
    );
    // Raw messages are mostly attachments (photos, scans, PDFs: compressed already) in base64:
    // compressing them again costs much time and saves little.
    await queryRunner.query(`ALTER TABLE "inbound_email" ALTER COLUMN "raw" SET STORAGE EXTERNAL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "inbound_attachment_email_idx" ON "inbound_attachment"  ("inbound_email_id", "position") `,
    );
    await queryRunner.query(
      `CREATE TABLE "imap_mailbox" ("mailbox" text NOT NULL, "uid_validity" bigint, "last_uid" bigint NOT NULL DEFAULT '0', "lease_owner" text, "lease_until" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b43bf25a49bf9b44513bd9f7ae9" PRIMARY KEY ("mailbox"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquirer" ADD "undeliverable_emails" text array NOT NULL DEFAULT '{}'`,
    );
    await queryRunner.query(`ALTER TABLE "inbound_email" ADD "html_body" text`);
    await queryRunner.query(`ALTER TABLE "inbound_email" ADD "authentication" jsonb`);
    await queryRunner.query(
      `ALTER TABLE "inbound_attachment" ADD CONSTRAINT "FK_inbound_attachment_email" FOREIGN KEY ("inbound_email_id") REFERENCES "inbound_email"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "inbound_attachment" DROP CONSTRAINT "FK_inbound_attachment_email"`,
    );
    await queryRunner.query(`ALTER TABLE "inbound_email" DROP COLUMN "authentication"`);
    await queryRunner.query(`ALTER TABLE "inbound_email" DROP COLUMN "html_body"`);
    await queryRunner.query(`ALTER TABLE "inquirer" DROP COLUMN "undeliverable_emails"`);
    await queryRunner.query(`DROP TABLE "imap_mailbox"`);
    await queryRunner.query(`DROP INDEX "public"."inbound_attachment_email_idx"`);
    await queryRunner.query(`DROP TABLE "inbound_attachment"`);
  }
}
