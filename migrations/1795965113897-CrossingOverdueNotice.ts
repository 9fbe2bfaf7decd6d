import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CrossingOverdueNotice1795965113897 implements MigrationInterface {
  name = 'CrossingOverdueNotice1795965113897';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "travel_plan" ADD "overdue_notified_at" TIMESTAMP WITH TIME ZONE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "travel_plan" DROP COLUMN "overdue_notified_at"`);
  }
}
