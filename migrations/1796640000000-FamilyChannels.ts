import type { MigrationInterface, QueryRunner } from 'typeorm';

// How a family wants to hear from us (inquirer.preferred_channel: email, as every family did so
// far, or phone); a notice to a family who hear by phone becomes a callback the service asks for
// (callback.notice_id, no staff creator), and a sent notice says how it went
// (outbox_message.channel). Down: the service's own callbacks go (the schema before has no room
// for a callback nobody promised; their notices stay in the outbox).

export class FamilyChannels1796640000000 implements MigrationInterface {
  name = 'FamilyChannels1796640000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "inquirer" ADD "preferred_channel" text NOT NULL DEFAULT 'email'`,
    );
    await queryRunner.query(`ALTER TABLE "callback" ADD "notice_id" uuid`);
    await queryRunner.query(`ALTER TABLE "outbox_message" ADD "channel" text`);
    await queryRunner.query(`ALTER TABLE "callback" ALTER COLUMN "created_by" DROP NOT NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "callback_notice_key" ON "callback"  ("notice_id") WHERE "notice_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquirer" ADD CONSTRAINT "inquirer_channel_known" CHECK ("preferred_channel" IN ('email', 'phone'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "callback" ADD CONSTRAINT "callback_made_by_someone" CHECK ("created_by" IS NOT NULL OR "notice_id" IS NOT NULL)`,
    );
    await queryRunner.query(
      `ALTER TABLE "outbox_message" ADD CONSTRAINT "outbox_channel_known" CHECK ("channel" IS NULL OR "channel" IN ('email', 'phone'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP CONSTRAINT "outbox_channel_known"`);
    await queryRunner.query(`ALTER TABLE "callback" DROP CONSTRAINT "callback_made_by_someone"`);
    await queryRunner.query(`ALTER TABLE "inquirer" DROP CONSTRAINT "inquirer_channel_known"`);
    await queryRunner.query(`DROP INDEX "public"."callback_notice_key"`);
    await queryRunner.query(`DELETE FROM "callback" WHERE "created_by" IS NULL`);
    await queryRunner.query(`ALTER TABLE "callback" ALTER COLUMN "created_by" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP COLUMN "channel"`);
    await queryRunner.query(`ALTER TABLE "callback" DROP COLUMN "notice_id"`);
    await queryRunner.query(`ALTER TABLE "inquirer" DROP COLUMN "preferred_channel"`);
  }
}
