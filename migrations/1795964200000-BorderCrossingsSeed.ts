import type { MigrationInterface, QueryRunner } from 'typeorm';

// The Poland–Ukraine road crossing points, as reference data to start from. The kinds of
// traffic each takes change with the border guards' rules: admins keep them (and `open`)
// current through the API; the seed is a starting point, not the authority.
// prettier-ignore
const CROSSINGS: { id: string; pl: string; uk: string; ru: string; en: string; address: string; traffic: string[] }[] = [
  { id: 'medyka-shehyni', pl: 'Medyka–Szeginie', uk: 'Медика–Шегині', ru: 'Медыка–Шегини', en: 'Medyka–Shehyni', address: 'Medyka, Podkarpackie, Poland', traffic: ['pedestrian', 'car', 'bus', 'truck'] },
  { id: 'dorohusk-yahodyn', pl: 'Dorohusk–Jagodzin', uk: 'Дорогуськ–Ягодин', ru: 'Дорогуск–Ягодин', en: 'Dorohusk–Yahodyn', address: 'Dorohusk, Lubelskie, Poland', traffic: ['car', 'bus', 'truck'] },
  { id: 'hrebenne-rava-ruska', pl: 'Hrebenne–Rawa Ruska', uk: 'Гребенне–Рава-Руська', ru: 'Гребенне–Рава-Русская', en: 'Hrebenne–Rava-Ruska', address: 'Hrebenne, Lubelskie, Poland', traffic: ['car', 'bus', 'truck'] },
  { id: 'korczowa-krakovets', pl: 'Korczowa–Krakowiec', uk: 'Корчова–Краковець', ru: 'Корчова–Краковец', en: 'Korczowa–Krakovets', address: 'Korczowa, Podkarpackie, Poland', traffic: ['car', 'bus', 'truck'] },
  { id: 'zosin-ustyluh', pl: 'Zosin–Uściług', uk: 'Зосин–Устилуг', ru: 'Зосин–Устилуг', en: 'Zosin–Ustyluh', address: 'Zosin, Lubelskie, Poland', traffic: ['car', 'bus'] },
  { id: 'budomierz-hrushiv', pl: 'Budomierz–Hruszew', uk: 'Будомєж–Грушів', ru: 'Будомеж–Грушев', en: 'Budomierz–Hrushiv', address: 'Budomierz, Podkarpackie, Poland', traffic: ['car', 'bus'] },
  { id: 'dolhobyczow-uhryniv', pl: 'Dołhobyczów–Uhrynów', uk: 'Долгобичув–Угринів', ru: 'Долгобычув–Угринов', en: 'Dołhobyczów–Uhryniv', address: 'Dołhobyczów, Lubelskie, Poland', traffic: ['car', 'bus'] },
  { id: 'kroscienko-smilnytsia', pl: 'Krościenko–Smolnica', uk: 'Кросценко–Смільниця', ru: 'Кросценко–Смольница', en: 'Krościenko–Smilnytsia', address: 'Krościenko, Podkarpackie, Poland', traffic: ['car', 'bus'] },
];

export class BorderCrossingsSeed1795964200000 implements MigrationInterface {
  name = 'BorderCrossingsSeed1795964200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const c of CROSSINGS) {
      await queryRunner.query(
        `INSERT INTO border_crossing (id, name_pl, name_uk, name_ru, name_en, address, traffic)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [c.id, c.pl, c.uk, c.ru, c.en, c.address, c.traffic],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM border_crossing WHERE id = ANY($1)`, [
      CROSSINGS.map((c) => c.id),
    ]);
  }
}
