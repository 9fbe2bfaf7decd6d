import type { MigrationInterface, QueryRunner } from 'typeorm';

// Trigram indexes for the queue's name search (LIKE '%…%' on a name as typed, case- and
// ё/е-folded, and on its hc_name_key), so that it stays an index lookup at a million inquiries.
// hc_full_name joins a sought person's names with single spaces; unlike concat_ws it is
// IMMUTABLE, so an index can hold it. pg_trgm ships with PostgreSQL and is a trusted extension
// (PG 13+): the role that runs migrations needs CREATE on the database, not superuser.
export class NameSearchIndexes1795942000000 implements MigrationInterface {
  name = 'NameSearchIndexes1795942000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE FUNCTION hc_full_name(surname text, given_name text, patronymic text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE
       RETURN surname || coalesce(' ' || given_name, '') || coalesce(' ' || patronymic, '')`,
    );
    const folded = (e: string) => `translate(lower(${e}), 'ё', 'е')`;
    const soughtName = 'hc_full_name(surname, given_name, patronymic)';
    for (const [name, table, expression] of [
      ['inquirer_name_folded_trgm', 'inquirer', folded('full_name')],
      ['inquirer_name_key_trgm', 'inquirer', 'hc_name_key(full_name)'],
      ['sought_person_name_folded_trgm', 'sought_person', folded(soughtName)],
      ['sought_person_name_key_trgm', 'sought_person', `hc_name_key(${soughtName})`],
    ]) {
      await queryRunner.query(
        `CREATE INDEX "${name}" ON "${table}" USING gin ((${expression}) gin_trgm_ops)`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of [
      'sought_person_name_key_trgm',
      'sought_person_name_folded_trgm',
      'inquirer_name_key_trgm',
      'inquirer_name_folded_trgm',
    ]) {
      await queryRunner.query(`DROP INDEX "${name}"`);
    }
    await queryRunner.query(`DROP FUNCTION hc_full_name(text, text, text)`);
    // pg_trgm stays: other objects may have come to use it.
  }
}
