import type { MigrationInterface, QueryRunner } from 'typeorm';

export class StaffAccounts1795931849239 implements MigrationInterface {
  name = 'StaffAccounts1795931849239';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "staff_user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "display_name" text NOT NULL, "roles" text array NOT NULL DEFAULT '{}', "active" boolean NOT NULL DEFAULT true, "password_hash" text NOT NULL, "must_change_password" boolean NOT NULL DEFAULT false, "totp_secret_encrypted" text, "totp_enabled" boolean NOT NULL DEFAULT false, "totp_last_step" bigint, "failed_login_count" integer NOT NULL DEFAULT '0', "first_failed_login_at" TIMESTAMP WITH TIME ZONE, "locked_until" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "staff_user_roles_known" CHECK ("roles" <@ ARRAY['intake', 'caseworker', 'supervisor', 'auditor', 'admin']::text[]), CONSTRAINT "staff_user_email_lowercase" CHECK ("email" = lower("email")), CONSTRAINT "PK_cec9365d9fc3a3409158b645f2e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "staff_user_email_key" ON "staff_user"  ("email") `,
    );
    await queryRunner.query(
      `CREATE TABLE "recovery_code" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "code_hash" text NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b7f1e23329e93a80e25fd281922" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "recovery_code_user_id_idx" ON "recovery_code"  ("user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "staff_session" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" text NOT NULL, "user_id" uuid NOT NULL, "csrf_token" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ip" text, "user_agent" text, CONSTRAINT "PK_f6ff7fdf4bb47ace7981adbcdee" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "staff_session_token_hash_key" ON "staff_session"  ("token_hash") `,
    );
    await queryRunner.query(
      `CREATE INDEX "staff_session_user_id_idx" ON "staff_session"  ("user_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "recovery_code" ADD CONSTRAINT "FK_f5c95d9ca2047afa670093e2028" FOREIGN KEY ("user_id") REFERENCES "staff_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "staff_session" ADD CONSTRAINT "FK_16f703e79dc2ddfaca760e844b3" FOREIGN KEY ("user_id") REFERENCES "staff_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "staff_session" DROP CONSTRAINT "FK_16f703e79dc2ddfaca760e844b3"`,
    );
    await queryRunner.query(
      `ALTER TABLE "recovery_code" DROP CONSTRAINT "FK_f5c95d9ca2047afa670093e2028"`,
    );
    await queryRunner.query(`DROP INDEX "public"."staff_session_user_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."staff_session_token_hash_key"`);
    await queryRunner.query(`DROP TABLE "staff_session"`);
    await queryRunner.query(`DROP INDEX "public"."recovery_code_user_id_idx"`);
    await queryRunner.query(`DROP TABLE "recovery_code"`);
    await queryRunner.query(`DROP INDEX "public"."staff_user_email_key"`);
    await queryRunner.query(`DROP TABLE "staff_user"`);
  }
}
