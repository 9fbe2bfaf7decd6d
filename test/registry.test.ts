import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { spawn } from 'node:child_process';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createInquiry } from './support/inquiries.js';

const HEADER =
  'personal_number,surname,given_names,patronymic,rank,birth_date,place_of_birth,fathers_first_name,mothers_maiden_name,military_unit,captured_on,place_of_capture,location_category,health_notes';
const ROWS = [
  'AB-0000001,Петров,Алексей,Сергеевич,рядовой,2001-03-14,Тамбов,Сергей,Иванова,в/ч 12345,2024-05-02,Курская обл.,internment_camp,ранение руки',
  'AB-0000002,Сидоров,Иван,Петрович,сержант,1990-07-01,Саратов,Пётр,Кузнецова,в/ч 54321,2023-11-20,,hospital,',
  'AB-0000003,Кузнецов,Дмитрий,Алексеевич,,1985-12-31,,,,,,,,',
];
const csv = (...rows: string[]) => Buffer.from([HEADER, ...rows].join('\n') + '\n');

// The prisoner registry through the API: imports (all or nothing, a row-level report, encodings,
// updates by personal number), search and records (roles, audit), and the CLI.
describe('prisoner registry', () => {
  let sut: TestApp;
  let supervisor: SignedIn;
  let caseworker: SignedIn;
  let intake: SignedIn;

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const prisoners = async () =>
    (await sql<{ n: number }>('SELECT count(*)::int AS n FROM prisoner'))[0].n;
  const importCsv = (body: Buffer, query = '', who: SignedIn = supervisor) =>
    who.agent
      .post(`/api/registry/imports${query}`)
      .set('X-CSRF-Token', who.csrf)
      .set('Content-Type', 'text/csv')
      .send(body);

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    intake = await signedInStaff(sut, { roles: ['intake'] });
  });

  afterAll(() => sut?.close());

  it('imports a CSV file, then updates the same prisoners by personal number, audited', async () => {
    const first = await importCsv(csv(...ROWS));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      total: 3,
      imported: 3,
      created: 3,
      updated: 0,
      invalid: [],
    });
    const changed = ROWS[1].replace('сержант', 'старший сержант');
    const second = await importCsv(csv(changed));
    expect(second.body).toMatchObject({ total: 1, created: 0, updated: 1 });
    const [row] = await sql<{ rank: string; version: number; surname_key: string }>(
      `SELECT rank, version, surname_key FROM prisoner WHERE personal_number = 'AB-0000002'`,
    );
    expect(row).toEqual({ rank: 'старший сержант', version: 2, surname_key: 'sidorov' });
    const events = await sql<{ actor: string; diff: { after: { created: number } } }>(
      `SELECT actor, diff FROM audit_event WHERE action = 'registry.import' ORDER BY occurred_at`,
    );
    expect(events.map((e) => e.actor)).toEqual([supervisor.user.id, supervisor.user.id]);
  });

  it('changes only the columns a file gives: one left out keeps its value, an empty one clears it', async () => {
    const record = async (personalNumber: string) =>
      (
        await sql(
          `SELECT surname, given_names, patronymic, rank, birth_date::text, place_of_birth,
             military_unit, location_category, health_notes, version
           FROM prisoner WHERE personal_number = $1`,
          [personalNumber],
        )
      )[0];
    const stored = {
      surname: 'Орлов',
      given_names: 'Никита',
      patronymic: 'Ильич',
      rank: 'ефрейтор',
      birth_date: '1999-09-09',
      place_of_birth: 'Пенза',
      military_unit: 'в/ч 777',
      location_category: 'hospital',
      health_notes: 'контузия',
    };
    expect(
      (
        await importCsv(
          csv(
            'AB-0000050,Орлов,Никита,Ильич,ефрейтор,1999-09-09,Пенза,,,в/ч 777,,,hospital,контузия',
          ),
        )
      ).status,
    ).toBe(200);
    expect(await record('AB-0000050')).toEqual({ ...stored, version: 1 });

    // No rank, unit, category or health notes column: all kept; a new prisoner in the same file
    // is created with them empty (and the category unknown).
    const noRank = await importCsv(
      Buffer.from(
        'personal_number,surname,given_names,birth_date\nAB-0000050,Орлов,Никита,1999-09-10\nAB-0000051,Зуев,Павел,1990-01-01\n',
      ),
    );
    expect(noRank.body).toMatchObject({ total: 2, imported: 2, created: 1, updated: 1 });
    expect(await record('AB-0000050')).toEqual({ ...stored, birth_date: '1999-09-10', version: 2 });
    expect(await record('AB-0000051')).toMatchObject({
      rank: null,
      military_unit: null,
      location_category: 'unknown',
    });

    // An empty cell clears its column.
    await importCsv(
      Buffer.from('personal_number,surname,given_names,military_unit\nAB-0000050,Орлов,Никита,\n'),
    );
    expect(await record('AB-0000050')).toMatchObject({ military_unit: null, rank: 'ефрейтор' });

    // JSON: a key left out keeps its value, null or "" clears it, an empty category is unknown.
    const json = await supervisor.agent
      .post('/api/registry/imports')
      .set('X-CSRF-Token', supervisor.csrf)
      .send([
        {
          personalNumber: 'AB-0000050',
          surname: 'Орлов',
          givenNames: 'Никита',
          rank: null,
          placeOfBirth: '',
          locationCategory: '',
        },
      ]);
    expect(json.body).toMatchObject({ created: 0, updated: 1 });
    expect(await record('AB-0000050')).toEqual({
      ...stored,
      birth_date: '1999-09-10',
      military_unit: null,
      rank: null,
      place_of_birth: null,
      location_category: 'unknown',
      version: 4,
    });

    // The required columns cannot be cleared.
    const cleared = await supervisor.agent
      .post('/api/registry/imports')
      .set('X-CSRF-Token', supervisor.csrf)
      .send([{ personalNumber: 'AB-0000050', surname: null, givenNames: 'Никита' }]);
    expect([cleared.status, cleared.body.report?.invalid]).toEqual([
      422,
      [{ row: 1, errors: [{ field: 'surname', message: 'is required' }] }],
    ]);
    expect(await record('AB-0000050')).toMatchObject({ surname: 'Орлов', version: 4 });
  });

  it('refuses a file with bad rows whole, with every bad row and field named', async () => {
    const before = await prisoners();
    const res = await importCsv(
      csv(
        'AB-0000010,Орлов,Никита,,,2001-02-30,,,,,,,,',
        'AB-0000011,,Олег,,,1999-01-01,,,,,,,,',
        'AB-0000012,Белов,Илья,,,1999-01-01,,,,,1998-05-05,,camp,',
        'AB-0000013,Титов,Тимур,,,1999-01-01,,,,,,,,',
      ),
    );
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('registry_import_invalid');
    expect(res.body.report.invalid).toEqual([
      { row: 1, errors: [{ field: 'birthDate', message: 'is not a real date' }] },
      { row: 2, errors: [{ field: 'surname', message: 'is required' }] },
      {
        row: 3,
        errors: [
          { field: 'locationCategory', message: expect.stringContaining('must be one of') },
          { field: 'capturedOn', message: 'is before the date of birth' },
        ],
      },
    ]);
    expect(await prisoners()).toBe(before);

    const skipped = await importCsv(
      csv('AB-0000013,Титов,Тимур,,,1999-01-01,,,,,,,,', 'AB-0000014,Титов,,,,,,,,,,,,'),
      '?skipInvalid=true',
    );
    expect(skipped.status).toBe(200);
    expect(skipped.body).toMatchObject({ total: 2, imported: 1, skipped: 1 });
    expect(skipped.body.invalid).toEqual([
      { row: 2, errors: [{ field: 'givenNames', message: 'is required' }] },
    ]);
  });

  it('tells a windows-1251 file from UTF-8, and reads it when told its encoding', async () => {
    const cp1251 = iconv.encode(
      `${HEADER}\nAB-0000020,Жуков,Вадим,Ильич,,1995-06-06,,,,,,,,\n`,
      'win1251',
    );
    const refused = await importCsv(cp1251);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'unreadable_file', title: 'The file is not UTF-8' });
    expect(refused.body.detail).toMatch(/windows-1251/);
    const read = await importCsv(cp1251, '?encoding=windows-1251');
    expect(read.status).toBe(200);
    const [row] = await sql<{ surname: string }>(
      `SELECT surname FROM prisoner WHERE personal_number = 'AB-0000020'`,
    );
    expect(row.surname).toBe('Жуков');
  });

  it('refuses malformed CSV and JSON that is not a list, saying what is wrong', async () => {
    const broken = await importCsv(Buffer.from(`${HEADER}\n"AB-1,Петров,Иван\n`));
    expect(broken.status).toBe(422);
    expect(broken.body).toMatchObject({
      code: 'unreadable_file',
      title: 'The file is not valid CSV',
    });
    const unknown = await importCsv(
      Buffer.from('personal_number,surname,given_names,shoe_size\nX1,A,B,44\n'),
    );
    expect(unknown.status).toBe(422);
    expect(unknown.body.report.invalid[0].errors).toEqual([
      { field: 'shoe_size', message: 'is not a column of the registry' },
    ]);
    const json = await supervisor.agent
      .post('/api/registry/imports')
      .set('X-CSRF-Token', supervisor.csrf)
      .send([
        {
          personalNumber: 'AB-0000030',
          surname: 'Ильин',
          givenNames: 'Лев',
          birthDate: '1988-08-08',
        },
      ]);
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ imported: 1, created: 1 });
    const text = await supervisor.agent
      .post('/api/registry/imports')
      .set('X-CSRF-Token', supervisor.csrf)
      .set('Content-Type', 'text/plain')
      .send('hello');
    expect(text.status).toBe(415);
  });

  it('lets caseworkers search and read records, health notes only for supervisors, every read audited', async () => {
    const byName = await caseworker.agent
      .get('/api/registry/prisoners')
      .query({ q: 'Petrov Aleksei' });
    expect(byName.status).toBe(200);
    expect(byName.body.items[0]).toMatchObject({ personalNumber: 'AB-0000001', surname: 'Петров' });
    expect(byName.body.items[0]).not.toHaveProperty('healthNotes');
    const byNumber = await caseworker.agent
      .get('/api/registry/prisoners')
      .query({ q: 'ab-000000' });
    expect(byNumber.body.total).toBe(3);
    const id = byName.body.items[0].id as string;
    const asCaseworker = await caseworker.agent.get(`/api/registry/prisoners/${id}`);
    expect(asCaseworker.body).not.toHaveProperty('healthNotes');
    const asSupervisor = await supervisor.agent.get(`/api/registry/prisoners/${id}`);
    expect(asSupervisor.body.healthNotes).toBe('ранение руки');
    expect((await intake.agent.get('/api/registry/prisoners')).status).toBe(403);
    expect((await importCsv(csv(ROWS[0]), '', caseworker)).status).toBe(403);
    const reads = await sql<{ actor: string; action: string }>(
      `SELECT actor, action FROM audit_event WHERE action IN ('registry.search', 'registry.prisoner_read')
       ORDER BY occurred_at`,
    );
    expect(reads.map((r) => r.action)).toEqual([
      'registry.search',
      'registry.search',
      'registry.prisoner_read',
      'registry.prisoner_read',
    ]);
  });

  it("ranks a case's candidates with a per-field explanation, across scripts", async () => {
    const inquiry = await createInquiry(caseworker, {
      soughtPerson: {
        surname: 'Petrov',
        givenName: 'Aleksey',
        patronymic: 'Sergeyevich',
        birthYear: 2001,
        birthMonth: 3,
        birthDay: 14,
      },
    });
    const res = await caseworker.agent.get(`/api/inquiries/${inquiry.id}/match-candidates`);
    expect(res.status).toBe(200);
    const [best] = res.body;
    expect(best.prisoner).toMatchObject({ personalNumber: 'AB-0000001', surname: 'Петров' });
    expect(best.explanation.strength).toBe('strong');
    const field = (name: string) =>
      best.explanation.fields.find((f: { field: string }) => f.field === name);
    expect(field('surname')).toMatchObject({ agreement: 'exact', similarity: 1 });
    expect(field('givenName')).toMatchObject({ agreement: 'exact' });
    expect(field('birthDate')).toMatchObject({ agreement: 'exact' });
    expect(field('personalNumber')).toMatchObject({ agreement: 'not_compared' });
    // Names swapped and day and month swapped (1 July written as 7 January), in Latin letters.
    const swapped = await createInquiry(caseworker, {
      soughtPerson: {
        surname: 'Ivan',
        givenName: 'Sidorov',
        birthYear: 1990,
        birthMonth: 1,
        birthDay: 7,
      },
    });
    const [other] = (await caseworker.agent.get(`/api/inquiries/${swapped.id}/match-candidates`))
      .body;
    expect(other.prisoner.personalNumber).toBe('AB-0000002');
    expect(other.explanation.namesSwapped).toBe(true);
    expect(
      other.explanation.fields.find((f: { field: string }) => f.field === 'birthDate').agreement,
    ).toBe('day_month_swapped');
    const [event] = await sql<{ actor: string }>(
      `SELECT actor FROM audit_event WHERE action = 'registry.candidates_read' AND inquiry_id = $1`,
      [inquiry.id],
    );
    expect(event.actor).toBe(caseworker.user.id);
  });

  it('imports from the command line, listing bad rows and refusing the file', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'registry-cli-'));
    try {
      const good = path.join(folder, 'good.csv');
      const bad = path.join(folder, 'bad.csv');
      await writeFile(good, csv('AB-0000040,Макаров,Степан,,,1991-01-01,,,,,,,,'));
      await writeFile(bad, csv('AB-0000041,Макаров,,,,1991-13-01,,,,,,,,'));
      const env = {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: sut.database.url,
        DATA_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      };
      const run = (args: string[]) =>
        new Promise<{ code: number | null; stdout: string }>((resolve) => {
          // stderr joins stdout, so that a failure's reason is in the assertion's diff.
          const child = spawn(process.execPath, ['dist/src/cli/registry.js', ...args], { env });
          let stdout = '';
          child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
          child.stderr.on('data', (c: Buffer) => (stdout += c.toString()));
          child.on('exit', (code) => resolve({ code, stdout }));
        });
      const ok = await run(['import', good]);
      expect({ code: ok.code, stdout: ok.code === 0 ? '' : ok.stdout }).toEqual({
        code: 0,
        stdout: '',
      });
      expect(ok.stdout).toMatch(
        /imported 1 of 1 rows in [\d.]+ s: 1 new, 0 updated, 0 invalid skipped/,
      );
      const refused = await run(['import', bad]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('1 of 1 rows are not valid; nothing was imported');
      expect(refused.stdout).toContain(
        'row 1: givenNames is required; birthDate is not a real date',
      );
      expect((await run(['import'])).code).toBe(2);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
