import type { MigrationInterface, QueryRunner } from 'typeorm';

export class StatusLinks1795964894470 implements MigrationInterface {
  name = 'StatusLinks1795964894470';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "status_link" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inquiry_id" uuid NOT NULL, "token_sha256" text NOT NULL, "issued_by" text NOT NULL, "issued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_by" text, "last_viewed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d60e8dac7df0102438eb04956eb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "status_link_inquiry_idx" ON "status_link"  ("inquiry_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "status_link_token_key" ON "status_link"  ("token_sha256") `,
    );
    await queryRunner.query(
      `ALTER TABLE "status_link" ADD CONSTRAINT "FK_4c2703152e50a17f9aab2e7c8f5" FOREIGN KEY ("inquiry_id") REFERENCES "inquiry"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "status_link" DROP CONSTRAINT "FK_4c2703152e50a17f9aab2e7c8f5"`,
    );
    await queryRunner.query(`DROP INDEX "public"."status_link_token_key"`);
    await queryRunner.query(`DROP INDEX "public"."status_link_inquiry_idx"`);
    await queryRunner.query(`DROP TABLE "status_link"`);
  }
}
