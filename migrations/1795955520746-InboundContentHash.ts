import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InboundContentHash1795955520746 implements MigrationInterface {
  name = 'InboundContentHash1795955520746';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inbound_email" ADD "content_sha256" text`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "inbound_email_message_content_key" ON "inbound_email"  ("message_id", "content_sha256") WHERE "message_id" IS NOT NULL AND "content_sha256" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."inbound_email_message_content_key"`);
    await queryRunner.query(`ALTER TABLE "inbound_email" DROP COLUMN "content_sha256"`);
  }
}
