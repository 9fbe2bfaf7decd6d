import type { MigrationInterface, QueryRunner } from 'typeorm';

export class HandoverAppointmentVersion1796525052604 implements MigrationInterface {
  name = 'HandoverAppointmentVersion1796525052604';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "handover_appointment" ADD "version" integer NOT NULL DEFAULT '1'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "handover_appointment" DROP COLUMN "version"`);
  }
}
