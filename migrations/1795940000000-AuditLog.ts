import type { MigrationInterface, QueryRunner } from 'typeorm';

// The tamper-evident audit log (src/audit): events in per-stream hash chains, the head of each
// stream, and the checkpoint chain. PostgreSQL itself keeps events and checkpoints append-only.
export class AuditLog1795940000000 implements MigrationInterface {
  name = 'AuditLog1795940000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_event" ("id" uuid NOT NULL, "stream" text NOT NULL, "seq" bigint NOT NULL, "occurred_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "actor" text NOT NULL, "action" text NOT NULL, "entity_type" text, "entity_id" text, "inquiry_id" uuid, "diff" jsonb NOT NULL, "request_id" text, "ip" text, "prev_hash" text NOT NULL, "hash" text NOT NULL, CONSTRAINT "audit_event_hash_format" CHECK ("hash" ~ '^[0-9a-f]{64}$' AND "prev_hash" ~ '^[0-9a-f]{64}$'), CONSTRAINT "audit_event_seq_positive" CHECK ("seq" >= 1), CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id"))`,
    );
    // One position per stream: two appenders can never both write seq N.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "audit_event_stream_seq_key" ON "audit_event" ("stream", "seq")`,
    );
    // GET /api/audit: newest first, alone or within from/to, or by one of its filters. An inquiry's
    // events are its stream, found through audit_event_stream_seq_key.
    await queryRunner.query(
      `CREATE INDEX "audit_event_occurred_at_idx" ON "audit_event" ("occurred_at", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_event_actor_idx" ON "audit_event" ("actor", "occurred_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_event_action_idx" ON "audit_event" ("action", "occurred_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_event_entity_idx" ON "audit_event" ("entity_type", "entity_id", "occurred_at") WHERE "entity_type" IS NOT NULL`,
    );

    await queryRunner.query(
      `CREATE TABLE "audit_stream" ("stream" text NOT NULL, "last_seq" bigint NOT NULL, "last_hash" text NOT NULL, "prev_hash" text NOT NULL, "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "checkpointed_seq" bigint NOT NULL DEFAULT '0', CONSTRAINT "audit_stream_pkey" PRIMARY KEY ("stream"))`,
    );

    await queryRunner.query(
      `CREATE TABLE "audit_checkpoint" ("id" bigint NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "heads" jsonb NOT NULL, "prev_hash" text NOT NULL, "hash" text NOT NULL, CONSTRAINT "audit_checkpoint_hash_format" CHECK ("hash" ~ '^[0-9a-f]{64}$' AND "prev_hash" ~ '^[0-9a-f]{64}$'), CONSTRAINT "audit_checkpoint_pkey" PRIMARY KEY ("id"))`,
    );

    // An event's hash, from the canonical JSON the application cut where the time, the previous
    // hash and the position go (src/audit/audit-hash.util.ts: canonicalFragments and
    // hashFromFragments, which a test holds to this).
    await queryRunner.query(
      `CREATE FUNCTION "audit_event_hash"(prev_hash text, seq bigint, occurred_at timestamptz, before_occurred_at text, before_seq text, after_seq text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT encode(sha256(convert_to(
          prev_hash || before_occurred_at
          || to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
          || '","prev_hash":"' || prev_hash || before_seq || seq::text || after_seq, 'UTF8')), 'hex')
      $$`,
    );

    // Statement-level, so that even an UPDATE or DELETE matching no row is refused. Only a
    // superuser (session_replication_role = replica) or the table owner (DISABLE TRIGGER) can
    // get past it: the application must run as neither.
    await queryRunner.query(
      `CREATE FUNCTION "audit_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'Audit records are never changed or removed; append a new event instead.';
      END
      $$`,
    );
    for (const table of ['audit_event', 'audit_checkpoint']) {
      await queryRunner.query(
        `CREATE TRIGGER "${table}_append_only" BEFORE UPDATE OR DELETE OR TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "audit_refuse_change"()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Dropping the tables drops their triggers and indexes.
    await queryRunner.query(`DROP TABLE "audit_checkpoint"`);
    await queryRunner.query(`DROP TABLE "audit_stream"`);
    await queryRunner.query(`DROP TABLE "audit_event"`);
    await queryRunner.query(`DROP FUNCTION "audit_refuse_change"()`);
    await queryRunner.query(
      `DROP FUNCTION "audit_event_hash"(text, bigint, timestamptz, text, text, text)`,
    );
  }
}
