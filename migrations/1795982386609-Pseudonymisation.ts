import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Pseudonymisation1795982386609 implements MigrationInterface {
  name = 'Pseudonymisation1795982386609';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_case_key" ("inquiry_id" uuid NOT NULL, "key" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "audit_case_key_pkey" PRIMARY KEY ("inquiry_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "inquiry" ADD "pseudonymised_at" TIMESTAMP WITH TIME ZONE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inquiry" DROP COLUMN "pseudonymised_at"`);
    await queryRunner.query(`DROP TABLE "audit_case_key"`);
  }
}
