import type { MigrationInterface, QueryRunner } from 'typeorm';

// hc_name_key(text): a name folded so that its Cyrillic form and its usual Latin spellings meet,
// for the inquiry queue's search box: Петров = Petrov, Алексей = Aleksey = Alexei, Юлия = Yulia =
// Iuliia, Сергеевич = Sergeyevich, Семёнов = Семенов = Semyonov, Жуков = Zhukov. Cyrillic letters
// map straight to a Latin skeleton; Latin digraphs fold to the same skeleton; doubled letters and
// the y/i, ia/a, iu/u families collapse. Checked against every spelling in
// shared/fixtures/names/variants.tsv (test/name-search.test.ts); GOST 7.79's x for х is the one
// system it does not follow (x stays ks, as in Alexey). It over-merges on purpose: a search that
// shows one extra name is better than one that misses the son. Russian and Ukrainian forms of a
// name (Алексей, Олексій) stay different names; registry matching is another feature's job.
// prettier-ignore
const CYRILLIC: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', ґ: 'g', д: 'd', е: 'e', ё: 'e', є: 'e', ж: 'z', з: 'z',
  и: 'i', і: 'i', ї: 'i', й: 'i', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r',
  с: 's', т: 't', у: 'u', ф: 'f', х: 'h', ц: 'c', ч: 'c', ш: 's', щ: 's', ы: 'i', э: 'e',
  ю: 'u', я: 'a',
  // Latin letters with diacritics, as Polish and Czech spellings write them.
  š: 's', ž: 'z', č: 'c', ć: 'c', ś: 's', ź: 'z', ż: 'z', ł: 'l', ń: 'n', ó: 'o', é: 'e', ë: 'e',
};
// Removed: soft and hard signs, apostrophes (Ukrainian ʼ, ’, ') and the marks some systems write
// for the signs (` and ” ).
const DROPPED = "ьъʼ’'`”";
// prettier-ignore
const DIGRAPHS: [string, string][] = [
  ['shch', 's'], ['shh', 's'], ['sch', 's'], ['kh', 'h'], ['zh', 'z'], ['ch', 'c'], ['sh', 's'],
  ['ts', 'c'], ['tz', 'c'], ['tc', 'c'], ['cz', 'c'], ['x', 'ks'], ['w', 'v'], ['q', 'k'],
  ['g', 'h'], ['y', 'i'], ['j', 'i'],
];
// ё is written е as often as ё: yo, io and jo meet it as e.
const VOWEL_PAIRS: [string, string][] = [
  ['iu', 'u'],
  ['ia', 'a'],
  ['ie', 'e'],
  ['io', 'e'],
];

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
const replaceAll = (expression: string, pairs: [string, string][]) =>
  pairs.reduce((e, [from, to]) => `replace(${e}, ${literal(from)}, ${literal(to)})`, expression);
const collapseDoubles = (e: string) => `regexp_replace(${e}, '(.)\\1+', '\\1', 'g')`;

function keyExpression(): string {
  const from = Object.keys(CYRILLIC).join('') + DROPPED;
  const to = Object.values(CYRILLIC).join('');
  let e = `translate(lower(name), ${literal(from)}, ${literal(to)})`;
  e = replaceAll(e, DIGRAPHS);
  e = collapseDoubles(e);
  e = replaceAll(e, VOWEL_PAIRS);
  e = collapseDoubles(e);
  // Only letters, digits and single spaces remain (so the key is safe inside a LIKE pattern).
  e = `regexp_replace(${e}, '[^a-z0-9]+', ' ', 'g')`;
  return `btrim(${e})`;
}

export class NameSearchKey1795941000000 implements MigrationInterface {
  name = 'NameSearchKey1795941000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      // A fixed search_path (no object of another schema can stand in for lower() or
      // translate() when an index calls it) also keeps the planner from inlining it, so the
      // COST holds: about thirty string passes per call, which makes a trigram index lookup
      // (NameSearchIndexes) cheaper than evaluating it on every row.
      `CREATE FUNCTION hc_name_key(name text) RETURNS text
       LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000
       SET search_path = pg_catalog, pg_temp
       RETURN ${keyExpression()}`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION hc_name_key(text)`);
  }
}
