import type { MigrationInterface, QueryRunner } from 'typeorm';

// Merging duplicates (inquiry.duplicate_of) and the indexes the duplicate check needs: overlap of
// inquirers' phone and email arrays (GIN) and the sought person's folded name.
export class InquiryDuplicates1795936000000 implements MigrationInterface {
  name = 'InquiryDuplicates1795936000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inquiry" ADD "duplicate_of" uuid`);
    await queryRunner.query(
      `ALTER TABLE "inquiry" ADD CONSTRAINT "FK_inquiry_duplicate_of" FOREIGN KEY ("duplicate_of") REFERENCES "inquiry"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE INDEX "inquirer_phones_gin" ON "inquirer" USING gin ("phones")`,
    );
    await queryRunner.query(
      `CREATE INDEX "inquirer_emails_gin" ON "inquirer" USING gin ("emails")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."inquirer_emails_gin"`);
    await queryRunner.query(`DROP INDEX "public"."inquirer_phones_gin"`);
    await queryRunner.query(`ALTER TABLE "inquiry" DROP CONSTRAINT "FK_inquiry_duplicate_of"`);
    await queryRunner.query(`ALTER TABLE "inquiry" DROP COLUMN "duplicate_of"`);
  }
}
