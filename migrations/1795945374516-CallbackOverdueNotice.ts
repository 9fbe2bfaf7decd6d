import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CallbackOverdueNotice1795945374516 implements MigrationInterface {
  name = 'CallbackOverdueNotice1795945374516';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "callback" ADD "overdue_notified_at" TIMESTAMP WITH TIME ZONE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "callback" DROP COLUMN "overdue_notified_at"`);
  }
}
