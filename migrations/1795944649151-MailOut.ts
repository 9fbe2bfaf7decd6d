import type { MigrationInterface, QueryRunner } from 'typeorm';

// The sender's bookkeeping on the outbox: our Message-ID, the claim's lease and token, the subject
// as sent;
// and a state for messages a supervisor cancelled.
export class MailOut1795944649151 implements MigrationInterface {
  name = 'MailOut1795944649151';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_message" ADD "message_id" text`);
    await queryRunner.query(
      `ALTER TABLE "outbox_message" ADD "lease_until" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(`ALTER TABLE "outbox_message" ADD "subject" text`);
    await queryRunner.query(`ALTER TABLE "outbox_message" ADD "claim_token" uuid`);
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP CONSTRAINT "outbox_state_known"`);
    await queryRunner.query(
      `ALTER TABLE "outbox_message" ADD CONSTRAINT "outbox_state_known" CHECK ("state" IN ('pending', 'sending', 'sent', 'failed', 'suppressed', 'cancelled'))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "outbox_message_id_key" ON "outbox_message"  ("message_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "outbox_lease_idx" ON "outbox_message"  ("lease_until") WHERE "state" = 'sending'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."outbox_lease_idx"`);
    await queryRunner.query(`DROP INDEX "public"."outbox_message_id_key"`);
    await queryRunner.query(
      `UPDATE "outbox_message" SET "state" = 'failed' WHERE "state" = 'cancelled'`,
    );
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP CONSTRAINT "outbox_state_known"`);
    await queryRunner.query(
      `ALTER TABLE "outbox_message" ADD CONSTRAINT "outbox_state_known" CHECK ("state" IN ('pending', 'sending', 'sent', 'failed', 'suppressed'))`,
    );
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP COLUMN "claim_token"`);
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP COLUMN "subject"`);
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP COLUMN "lease_until"`);
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP COLUMN "message_id"`);
  }
}
