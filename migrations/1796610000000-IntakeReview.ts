import type { MigrationInterface, QueryRunner } from 'typeorm';

// Intake that errs towards people: a message that reaches no case and is neither a mailing list
// nor our own mail come back waits for a person (`review`), and a letter keeps the hints of why
// it might be automatic (never acted on).
export class IntakeReview1796610000000 implements MigrationInterface {
  name = 'IntakeReview1796610000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "inbound_email" ADD "hints" text array NOT NULL DEFAULT '{}'`,
    );
    await queryRunner.query(
      `ALTER TABLE "inbound_email" DROP CONSTRAINT "inbound_email_outcome_known"`,
    );
    await queryRunner.query(
      `ALTER TABLE "inbound_email" ADD CONSTRAINT "inbound_email_outcome_known" CHECK ("outcome" IN ('received', 'attached', 'opened', 'auto_reply', 'bounce', 'ignored', 'review', 'quarantined', 'discarded'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Letters still waiting for a person stay where a person sees them.
    await queryRunner.query(
      `UPDATE "inbound_email" SET "outcome" = 'quarantined',
         "reason" = left('waiting for review: ' || coalesce("reason", ''), 500)
       WHERE "outcome" = 'review'`,
    );
    await queryRunner.query(
      `ALTER TABLE "inbound_email" DROP CONSTRAINT "inbound_email_outcome_known"`,
    );
    await queryRunner.query(
      `ALTER TABLE "inbound_email" ADD CONSTRAINT "inbound_email_outcome_known" CHECK ("outcome" IN ('received', 'attached', 'opened', 'auto_reply', 'bounce', 'ignored', 'quarantined', 'discarded'))`,
    );
    await queryRunner.query(`ALTER TABLE "inbound_email" DROP COLUMN "hints"`);
  }
}
