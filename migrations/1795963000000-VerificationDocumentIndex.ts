import type { MigrationInterface, QueryRunner } from 'typeorm';

// The fraud signals look for a document shown on another case by its keyed digest
// (documents @> [{"numberDigest": …}]): a jsonb_path_ops index answers that containment.
export class VerificationDocumentIndex1795963000000 implements MigrationInterface {
  name = 'VerificationDocumentIndex1795963000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX inquirer_verification_documents ON inquirer_verification
       USING gin (documents jsonb_path_ops)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX inquirer_verification_documents`);
  }
}
