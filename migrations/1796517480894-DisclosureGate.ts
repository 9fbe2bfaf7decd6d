import type { MigrationInterface, QueryRunner } from 'typeorm';

// The disclosure gate (src/disclosure): a family's notices bear the gate's decision (the family
// stage it was decided at; earlier ones are marked 'legacy'), a notice the gate holds back is
// `held`, a prisoner may withdraw a consent, and a verified family's addresses and numbers are
// recorded as theirs (for families verified before this migration: the ones they have now).
export class DisclosureGate1796517480894 implements MigrationInterface {
  name = 'DisclosureGate1796517480894';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "trusted_contact" ("inquiry_id" uuid NOT NULL, "kind" text NOT NULL, "value" text NOT NULL, "source" text NOT NULL, "trusted_by" text NOT NULL, "trusted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "trusted_contact_source_known" CHECK ("source" IN ('verification', 'approval')), CONSTRAINT "trusted_contact_kind_known" CHECK ("kind" IN ('email', 'phone')), CONSTRAINT "trusted_contact_pkey" PRIMARY KEY ("inquiry_id", "kind", "value"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "contact_change" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "kind" text NOT NULL, "value" text NOT NULL, "state" text NOT NULL DEFAULT 'pending', "requested_by" text NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "decided_by" text, "decided_at" TIMESTAMP WITH TIME ZONE, "reason" text, CONSTRAINT "contact_change_kind_known" CHECK ("kind" IN ('email', 'phone')), CONSTRAINT "contact_change_state_known" CHECK ("state" IN ('pending', 'approved', 'rejected', 'superseded')), CONSTRAINT "contact_change_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "contact_change_pending_key" ON "contact_change"  ("inquiry_id", "kind", "value") WHERE "state" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX "contact_change_inquiry_idx" ON "contact_change"  ("inquiry_id", "requested_at") `,
    );
    await queryRunner.query(`ALTER TABLE "outbox_message" ADD "family_stage" text`);
    await queryRunner.query(
      `UPDATE "outbox_message" SET "family_stage" = 'legacy' WHERE "recipient_kind" = 'inquirer'`,
    );
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP CONSTRAINT "outbox_state_known"`);
    await queryRunner.query(
      `ALTER TABLE "outbox_message" ADD CONSTRAINT "outbox_state_known" CHECK ("state" IN ('pending', 'sending', 'sent', 'failed', 'suppressed', 'cancelled', 'held'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "prisoner_consent" DROP CONSTRAINT "prisoner_consent_decision_known"`,
    );
    await queryRunner.query(
      `ALTER TABLE "prisoner_consent" ADD CONSTRAINT "prisoner_consent_decision_known" CHECK ("decision" IN ('given', 'refused', 'withdrawn'))`,
    );
    await queryRunner.query(
      `INSERT INTO "trusted_contact" ("inquiry_id", "kind", "value", "source", "trusted_by")
       SELECT DISTINCT i.id, c.kind, c.value, 'verification', v.countersigned_by
       FROM inquiry i
       JOIN inquirer r ON r.id = i.inquirer_id
       JOIN LATERAL (
         SELECT outcome, countersigned_by FROM inquirer_verification
         WHERE inquiry_id = i.id AND countersigned_by IS NOT NULL
         ORDER BY countersigned_at DESC LIMIT 1) v ON v.outcome = 'verified'
       CROSS JOIN LATERAL (
         SELECT 'email' AS kind, unnest(r.emails) AS value
         UNION ALL SELECT 'phone', unnest(r.phones)) c`,
    );
    await queryRunner.query(
      `ALTER TABLE "outbox_message" ADD CONSTRAINT "outbox_family_notice_gated" CHECK (("recipient_kind" = 'inquirer') = ("family_stage" IS NOT NULL))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "outbox_message" DROP CONSTRAINT "outbox_family_notice_gated"`,
    );
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP COLUMN "family_stage"`);
    await queryRunner.query(
      `UPDATE "prisoner_consent" SET "decision" = 'refused' WHERE "decision" = 'withdrawn'`,
    );
    await queryRunner.query(
      `ALTER TABLE "prisoner_consent" DROP CONSTRAINT "prisoner_consent_decision_known"`,
    );
    await queryRunner.query(
      `ALTER TABLE "prisoner_consent" ADD CONSTRAINT "prisoner_consent_decision_known" CHECK ("decision" IN ('given', 'refused'))`,
    );
    await queryRunner.query(
      `UPDATE "outbox_message" SET "state" = 'suppressed' WHERE "state" = 'held'`,
    );
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP CONSTRAINT "outbox_state_known"`);
    await queryRunner.query(
      `ALTER TABLE "outbox_message" ADD CONSTRAINT "outbox_state_known" CHECK ("state" IN ('pending', 'sending', 'sent', 'failed', 'suppressed', 'cancelled'))`,
    );
    await queryRunner.query(`DROP INDEX "public"."contact_change_inquiry_idx"`);
    await queryRunner.query(`DROP INDEX "public"."contact_change_pending_key"`);
    await queryRunner.query(`DROP TABLE "contact_change"`);
    await queryRunner.query(`DROP TABLE "trusted_contact"`);
  }
}
