// A synthetic prisoner registry for the matching tests and bench:match: deterministic (seeded),
// built from common Russian and Ukrainian surnames, given names and patronymics, so namesakes
// occur as they would; it holds every canonical name of shared/fixtures/names/variants.tsv
// (personal numbers VAR-0001…), the people whose other spellings the tests look for. These are
// not real people: combinations of common names with random dates, numbers and units.
import { readFileSync } from 'node:fs';

// prettier-ignore
const SURNAMES = ('Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров ' +
  'Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев ' +
  'Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев ' +
  'Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин ' +
  'Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов ' +
  'Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов ' +
  'Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин ' +
  'Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов ' +
  'Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров ' +
  'Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров ' +
  'Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов Малышев Панов ' +
  'Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Ерёмин Тихомиров Галкин ' +
  'Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков ' +
  'Левин Митрофанов Воронов Аксёнов Софронов Мальцев Логинов Горшков Савин Краснов Майоров ' +
  'Демидов Елисеев Рыбаков Сафонов Плотников Шевченко Коваленко Бондаренко Ткаченко Кравченко ' +
  'Олійник Шевчук Мельник Поліщук Бойко Коваль Лисенко Марченко Руденко Савченко Петренко ' +
  'Кравчук Клименко Павленко Харченко Левченко Карпенко Гончаренко Литвиненко Мороз Романенко ' +
  'Кириленко Ковальчук Онищенко Давиденко Мартинюк Гаврилюк Костенко Тимошенко Приходько Симоненко ' +
  'Вакуленко Фоменко Остапенко Пономаренко Яковенко Юрченко Савчук Панченко Зінченко Білоус').split(' ');
// prettier-ignore
const GIVEN = ('Александр Алексей Андрей Антон Артём Борис Вадим Валентин Валерий Василий Виктор ' +
  'Виталий Владимир Владислав Вячеслав Геннадий Георгий Григорий Даниил Денис Дмитрий Евгений ' +
  'Егор Иван Игорь Илья Кирилл Константин Лев Максим Матвей Михаил Никита Николай Олег Павел ' +
  'Пётр Роман Руслан Сергей Станислав Степан Тимофей Фёдор Юрий Ярослав Олександр Олексій ' +
  'Андрій Дмитро Сергій Юрій Василь Микола Тарас Богдан Остап Петро').split(' ');
// prettier-ignore
const PATRONYMICS = ('Александрович Алексеевич Андреевич Борисович Васильевич Викторович ' +
  'Владимирович Геннадьевич Григорьевич Дмитриевич Евгеньевич Иванович Игоревич Константинович ' +
  'Максимович Михайлович Николаевич Олегович Павлович Петрович Романович Сергеевич Степанович ' +
  'Фёдорович Юрьевич Ярославович Олександрович Олексійович Андрійович Дмитрович Сергійович ' +
  'Юрійович Васильович Миколайович Тарасович Богданович Петрович Іванович').split(' ');
// prettier-ignore
const PLACES = ('Москва Санкт-Петербург Новосибирск Екатеринбург Казань Самара Омск Ростов-на-Дону ' +
  'Уфа Красноярск Воронеж Пермь Волгоград Краснодар Саратов Тюмень Ижевск Барнаул Иркутск ' +
  'Хабаровск Ярославль Владивосток Томск Оренбург Кемерово Рязань Астрахань Пенза Липецк Тула').split(' ');
const RANKS = [
  'рядовой',
  'ефрейтор',
  'младший сержант',
  'сержант',
  'старший сержант',
  'прапорщик',
  'лейтенант',
  'старший лейтенант',
  'капитан',
];
const CATEGORIES = [
  'internment_camp',
  'internment_camp',
  'internment_camp',
  'hospital',
  'pretrial_detention',
  'transit',
];
const MAIDEN = [
  'Иванова',
  'Петрова',
  'Смирнова',
  'Кузнецова',
  'Попова',
  'Соколова',
  'Лебедева',
  'Козлова',
  'Новикова',
  'Морозова',
  'Волкова',
  'Павлова',
];

// mulberry32: a small seeded generator, so that every run builds the same registry.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n, width) => String(n).padStart(width, '0');

// The canonical names of variants.tsv with their spellings: { lang, surname, given, patronymic,
// spellings: [ 'Surname Given Patronymic', … ] }.
export function readVariants(file) {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  const header = lines[0].split('\t');
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    const cell = (name) => cells[header.indexOf(name)] ?? '';
    const systems = header
      .filter(
        (h) =>
          !['lang', 'surname_cyr', 'given_cyr', 'patronymic_cyr'].includes(h) &&
          !h.startsWith('informal_'),
      )
      .map(cell)
      .filter(Boolean);
    const informal = (part) => cell(`informal_${part}`).split(';').filter(Boolean);
    const [surnames, givens, patronymics] = ['surname', 'given', 'patronymic'].map(informal);
    const spellings = new Set(systems);
    for (const s of surnames) spellings.add(`${s} ${givens[0]} ${patronymics[0]}`);
    for (const g of givens) spellings.add(`${surnames[0]} ${g} ${patronymics[0]}`);
    for (const p of patronymics) spellings.add(`${surnames[0]} ${givens[0]} ${p}`);
    return {
      lang: cell('lang'),
      surname: cell('surname_cyr'),
      given: cell('given_cyr'),
      patronymic: cell('patronymic_cyr'),
      spellings: [...spellings],
    };
  });
}

// `count` prisoners as registry rows (the import's field names), the variants' people first.
export function generateRegistry({ count, seed = 20261129, variants = [] }) {
  const next = random(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const date = (from, to) => {
    const day = new Date(
      Date.UTC(from, 0, 1) + Math.floor(next() * (to - from) * 365.25) * 86_400_000,
    );
    return day.toISOString().slice(0, 10);
  };
  const person = (number, names) => {
    const birthDate = date(1965, 2005);
    return {
      personalNumber: number,
      surname: names.surname,
      givenNames: names.given,
      patronymic: names.patronymic,
      rank: pick(RANKS),
      birthDate,
      placeOfBirth: pick(PLACES),
      fathersFirstName: pick(GIVEN),
      mothersMaidenName: pick(MAIDEN),
      militaryUnit: `в/ч ${pad(Math.floor(next() * 90_000) + 10_000, 5)}`,
      capturedOn: date(2022, 2026),
      placeOfCapture: pick(PLACES),
      locationCategory: pick(CATEGORIES),
      healthNotes: null,
    };
  };
  const rows = variants.map((v, i) => person(`VAR-${pad(i + 1, 4)}`, v));
  for (let i = rows.length; i < count; i += 1) {
    rows.push(
      person(`${pick(['AA', 'AB', 'AC', 'AE', 'AK', 'AM'])}-${pad(i, 7)}`, {
        surname: pick(SURNAMES),
        given: pick(GIVEN),
        patronymic: pick(PATRONYMICS),
      }),
    );
  }
  return rows;
}

// Sought persons who are not in the registry: names from the same pools (so namesakes exist),
// dates of birth from another seed.
export function generateAbsent({ count, seed = 7 }) {
  const next = random(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  return Array.from({ length: count }, () => {
    const day = new Date(Date.UTC(1965, 0, 1) + Math.floor(next() * 40 * 365.25) * 86_400_000);
    return {
      surname: pick(SURNAMES),
      givenName: pick(GIVEN),
      patronymic: pick(PATRONYMICS),
      birthYear: day.getUTCFullYear(),
      birthMonth: day.getUTCMonth() + 1,
      birthDay: day.getUTCDate(),
    };
  });
}

const CSV_COLUMNS = [
  'personal_number',
  'surname',
  'given_names',
  'patronymic',
  'rank',
  'birth_date',
  'place_of_birth',
  'fathers_first_name',
  'mothers_maiden_name',
  'military_unit',
  'captured_on',
  'place_of_capture',
  'location_category',
  'health_notes',
];
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const quote = (v) =>
  v === null || v === undefined
    ? ''
    : /[",\n;]/.test(String(v))
      ? `"${String(v).replaceAll('"', '""')}"`
      : String(v);

export function toCsv(rows) {
  return (
    [
      CSV_COLUMNS.join(','),
      ...rows.map((r) => CSV_COLUMNS.map((c) => quote(r[camel(c)])).join(',')),
    ].join('\n') + '\n'
  );
}
