import type { MigrationInterface, QueryRunner } from 'typeorm';

// What registry matching reads by index: the prisoner's name keys (hc_name_key, see
// NameSearchKey), kept by a trigger whatever writes the row, by equality (btree) and the
// surname by likeness (trigram index); and the personal number as compared (letters and digits, upper case). The
// expression must stay the one in src/identity/candidates.sql.ts (NORMALISED_NUMBER).
export class PrisonerNameKeys1795962000000 implements MigrationInterface {
  name = 'PrisonerNameKeys1795962000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE FUNCTION prisoner_name_keys() RETURNS trigger LANGUAGE plpgsql
       SET search_path = public, pg_catalog, pg_temp AS $$
       BEGIN
         NEW.surname_key := hc_name_key(NEW.surname);
         NEW.given_key := hc_name_key(NEW.given_names);
         NEW.patronymic_key := hc_name_key(NEW.patronymic);
         RETURN NEW;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER prisoner_name_keys BEFORE INSERT OR UPDATE OF surname, given_names, patronymic
       ON prisoner FOR EACH ROW EXECUTE FUNCTION prisoner_name_keys()`,
    );
    await queryRunner.query(
      `CREATE INDEX prisoner_surname_key_trgm ON prisoner USING gin (surname_key gin_trgm_ops)`,
    );
    // Both orders, so that either key finds its rows with the other key (and the id) in the
    // index: an index-only look-up compares them.
    await queryRunner.query(
      `CREATE INDEX prisoner_surname_given_key ON prisoner (surname_key, given_key) INCLUDE (id)`,
    );
    await queryRunner.query(
      `CREATE INDEX prisoner_given_surname_key ON prisoner (given_key, surname_key) INCLUDE (id)`,
    );
    await queryRunner.query(
      `CREATE INDEX prisoner_personal_number_normalised ON prisoner
       ((upper(regexp_replace(personal_number, '[^0-9A-Za-zА-Яа-яЁё]', '', 'g'))))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX prisoner_personal_number_normalised`);
    await queryRunner.query(`DROP INDEX prisoner_given_surname_key`);
    await queryRunner.query(`DROP INDEX prisoner_surname_given_key`);
    await queryRunner.query(`DROP INDEX prisoner_surname_key_trgm`);
    await queryRunner.query(`DROP TRIGGER prisoner_name_keys ON prisoner`);
    await queryRunner.query(`DROP FUNCTION prisoner_name_keys()`);
  }
}
