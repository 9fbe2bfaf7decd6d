import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FamilyMessages1796630000000 implements MigrationInterface {
  name = 'FamilyMessages1796630000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "family_message" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "channel" text NOT NULL, "direction" text NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "text" text NOT NULL, "recorded_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "family_message_direction_known" CHECK ("direction" IN ('inbound', 'outbound')), CONSTRAINT "family_message_channel_known" CHECK ("channel" IN ('in_person', 'paper_letter')), CONSTRAINT "PK_f21c7d81b1c2eab6746b23bc3dc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "family_message_inquiry_occurred_at_idx" ON "family_message"  ("inquiry_id", "occurred_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "family_message" ADD CONSTRAINT "FK_e26e818e1d497a7731c65deb801" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "family_message" ADD CONSTRAINT "FK_cbe04fff5cc5232b245d7d68a77" FOREIGN KEY ("recorded_by") REFERENCES "staff_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "family_message" DROP CONSTRAINT "FK_cbe04fff5cc5232b245d7d68a77"`,
    );
    await queryRunner.query(
      `ALTER TABLE "family_message" DROP CONSTRAINT "FK_e26e818e1d497a7731c65deb801"`,
    );
    await queryRunner.query(`DROP INDEX "public"."family_message_inquiry_occurred_at_idx"`);
    await queryRunner.query(`DROP TABLE "family_message"`);
  }
}
