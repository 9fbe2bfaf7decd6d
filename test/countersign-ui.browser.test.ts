import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { BrowserSession } from './support/browser.js';
import { createInquiry } from './support/inquiries.js';
import { makeStaffUser, signedInStaff, type SignedIn } from './support/staff.js';
import { findProgram } from './support/system-programs.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const CHROMIUM = findProgram('chromium', ['/usr/bin/chromium', '/usr/bin/chromium-browser']);
const REGISTRY = [
  'personal_number,surname,given_names,patronymic,birth_date,fathers_first_name,military_unit',
  'AB-2100001,Петров,Алексей,Сергеевич,2001-03-14,Сергей,в/ч 12345',
  'AB-2100002,Петров,Алексей,Игоревич,1999-10-10,Игорь,в/ч 54321',
].join('\n');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

// Four eyes that show what is signed (issue 18, item 7), in Chromium, in Ukrainian as staff use
// it: the supervisor's queue names whom each signature is about; the review puts the man the
// family seeks beside the registry's record (names in both scripts, birth date, unit, the last
// four of the personal number), with why they match and the family's verification and answers
// beside the registry's; the button names the man. Screenshots under
// test-results/countersign-ui/.
if (!CHROMIUM.path) {
  CHROMIUM.reportMissing(
    'countersignature review in a real browser',
    'apt-get install -y chromium',
  );
} else {
  describe('countersignature review in a real browser', () => {
    let sut: TestApp;
    let base: string;
    let ui: BrowserSession;
    let iryna: { email: string; password: string };
    let inquiryId: string;
    let reference: string;
    let olena: SignedIn;

    beforeAll(async () => {
      sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'admin' } });
      await sut.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}`;
      const b = await makeStaffUser(sut, { displayName: 'Ірина Бондар', roles: ['supervisor'] });
      iryna = { email: b.user.email, password: b.password };
      const importer = await signedInStaff(sut, { roles: ['supervisor'] });
      const imported = await importer.agent
        .post('/api/registry/imports')
        .set('X-CSRF-Token', importer.csrf)
        .set('Content-Type', 'text/csv')
        .send(Buffer.from(REGISTRY));
      expect(imported.status).toBe(200);
      olena = await signedInStaff(sut, {
        roles: ['caseworker'],
        displayName: 'Олена Коваль',
      });
      const post = (path: string, body: object) =>
        olena.agent.post(path).set('X-CSRF-Token', olena.csrf).send(body);
      ({ id: inquiryId, reference } = await createInquiry(olena));
      for (const [to, version] of [
        ['gathering_information', 1],
        ['verifying', 2],
      ] as const) {
        expect(
          (await post(`/api/inquiries/${inquiryId}/transitions`, { to, version })).status,
        ).toBe(200);
      }
      const found = await olena.agent.get('/api/registry/prisoners').query({ q: 'AB-2100001' });
      const prisonerId = (found.body.items as { id: string }[])[0].id;
      expect((await post(`/api/inquiries/${inquiryId}/matches`, { prisonerId })).status).toBe(201);
      const verification = await post(`/api/inquiries/${inquiryId}/verifications`, {
        documents: [{ kind: 'паспорт', number: '4510 123456' }],
        relationshipEvidence: 'Свідоцтво про народження сина, показане на відеодзвінку',
        answers: [{ question: 'fathers_first_name', answer: 'Сергій' }],
        method: 'video_call',
        outcome: 'verified',
      });
      expect(verification.status).toBe(201);
      ui = await BrowserSession.launch(CHROMIUM.path!, 'countersign-ui');
    });

    afterAll(async () => {
      await ui?.close();
      await sut?.close();
    });

    it('a supervisor sees whom each signature is about, reviews the man side by side and signs for him by name', async () => {
      const page = await ui.newPage({ locale: 'uk-UA' });
      await page.goto(`${base}/admin/`);
      await page.getByLabel('Електронна пошта').fill(iryna.email);
      await page.getByLabel('Пароль').fill(iryna.password);
      await page.getByRole('button', { name: 'Увійти' }).click();
      await page.getByRole('menuitem', { name: 'Чекають мого підпису' }).click();
      const rows = page.getByTestId('awaiting');
      await expect(rows.count()).resolves.toBeGreaterThanOrEqual(0);
      const matchRow = rows.filter({ hasText: 'Збіг із реєстром' });
      await matchRow.waitFor();
      const text = (await matchRow.textContent()) ?? '';
      expect(text).toContain(reference);
      expect(text).toContain('Петров Алексей Сергеевич'); // as the family named him, and the registry's
      expect(text.split('Петров Алексей Сергеевич')).toHaveLength(3);
      expect(text).toContain('Петрова Ольга Ивановна');
      expect(text).toContain('Олена Коваль');
      expect(text).not.toMatch(UUID);
      await ui.expectAccessible(page, 'countersignature queue');
      await ui.shoot(page, '01-queue');

      await matchRow.getByRole('button', { name: 'Переглянути й підписати' }).click();
      const dialog = page.getByRole('dialog');
      const table = dialog.getByTestId('side-by-side');
      await table.waitFor();
      const sideBySide = (await table.textContent()) ?? '';
      for (const expected of [
        'Кого шукає родина',
        'Запис у реєстрі',
        'Petrov Aleksei Sergeevich',
        '14.03.2001',
        'в/ч 12345',
        '…0001',
      ]) {
        expect([expected, sideBySide.includes(expected)]).toEqual([expected, true]);
      }
      const review = (await dialog.textContent()) ?? '';
      expect(review).toContain('Дата народження: збігається');
      expect(review).toContain('Свідоцтво про народження сина');
      expect(review).toContain('у реєстрі: Сергей');
      expect(review).not.toMatch(UUID);
      expect(review).not.toMatch(/\b(verified|video_call|fathers_first_name|exact)\b/);
      await ui.expectAccessible(page, 'match review');
      await ui.shoot(page, '02-match-review');
      await dialog.getByRole('button', { name: 'Підписати: це Петров Алексей Сергеевич' }).click();
      await dialog.waitFor({ state: 'detached' });

      // The verification, now that the match is confirmed: the family's answer beside the
      // registry's, and the contacts the signature confirms as theirs.
      const verificationRow = rows.filter({ hasText: 'Перевірка' });
      await verificationRow.getByRole('button', { name: 'Переглянути й підписати' }).click();
      await dialog.getByTestId('review-verification').waitFor();
      const verification = (await dialog.textContent()) ?? '';
      expect(verification).toContain('Ім’я батька (зі слів заявниці): Сергій');
      expect(verification).toContain('olga.petrova@mail.ru');
      await ui.shoot(page, '03-verification-review');
      await dialog
        .getByRole('button', { name: 'Підписати: Петрова Ольга Ивановна — Підтверджено' })
        .click();
      await page.getByText('Нічого не чекає на вас.').waitFor();
      await ui.shoot(page, '04-queue-empty');
      expect(ui.failures).toEqual([]);

      const db = sut.app.get(DataSource);
      const [match] = await db.query(
        `SELECT state, countersigned_by FROM inquiry_match WHERE inquiry_id = $1`,
        [inquiryId],
      );
      expect(match).toEqual({ state: 'confirmed', countersigned_by: expect.any(String) });
      const trusted = await db.query(
        `SELECT kind, value FROM trusted_contact WHERE inquiry_id = $1 ORDER BY kind`,
        [inquiryId],
      );
      expect(trusted).toEqual([
        { kind: 'email', value: 'olga.petrova@mail.ru' },
        { kind: 'phone', value: '+79161234567' },
      ]);
    });

    it('the case page says, in Ukrainian, which notices wait and why, and lets another supervisor approve a new address', async () => {
      const post = (path: string, body: object) =>
        olena.agent.post(path).set('X-CSRF-Token', olena.csrf).send(body);
      const db = sut.app.get(DataSource);
      const versionOf = async () =>
        (
          (await db.query(`SELECT version FROM inquiry WHERE id = $1`, [inquiryId])) as {
            version: number;
          }[]
        )[0].version;
      // Detention confirmed, but he has not agreed that the family be told: the letters wait.
      const confirmed = await post(`/api/inquiries/${inquiryId}/transitions`, {
        to: 'detention_confirmed',
        version: await versionOf(),
      });
      expect(confirmed.status).toBe(200);
      // Someone adds an address to the verified family.
      const intake = await signedInStaff(sut, { roles: ['intake'], displayName: 'Марія Прийом' });
      const edited = await intake.agent
        .patch(`/api/inquiries/${inquiryId}`)
        .set('X-CSRF-Token', intake.csrf)
        .send({
          version: await versionOf(),
          inquirer: { emails: ['olga.petrova@mail.ru', 'new.address@mail.test'] },
        });
      expect(edited.status).toBe(200);

      const page = await ui.newPage({ locale: 'uk-UA' });
      await page.goto(`${base}/admin/`);
      await page.getByLabel('Електронна пошта').fill(iryna.email);
      await page.getByLabel('Пароль').fill(iryna.password);
      await page.getByRole('button', { name: 'Увійти' }).click();
      await page.getByRole('menuitem', { name: 'Чекають мого підпису' }).waitFor();
      await page.goto(`${base}/admin/#/inquiries/${inquiryId}/show`);
      await page.getByRole('heading', { name: reference, level: 1 }).waitFor();
      const timeline = page.getByTestId('timeline');
      await timeline
        .getByText(
          'Повідомлення родині затримано: Утримання підтверджено — родину ще не перевірено або полонений не погодився, щоб їй повідомили',
        )
        .waitFor();
      await timeline.getByText('Нова адреса чи номер родини чекає на підтвердження').waitFor();
      const signal = page.getByTestId('fraud-signal');
      await expect(signal.textContent()).resolves.toContain('Після перевірки родини додано');
      const change = page.getByTestId('contact-change');
      await expect(change.textContent()).resolves.toContain('new.address@mail.test');
      // Each entry names who did it, once the staff directory is in.
      await timeline.getByText('Олена Коваль', { exact: false }).first().waitFor();
      const timelineText = (await timeline.textContent()) ?? '';
      expect(timelineText).not.toMatch(UUID);
      expect(timelineText).not.toMatch(/system:|not_disclosed|family\./);
      // The letters waiting say why in Ukrainian too.
      const pageText = (await page.locator('main').textContent()) ?? '';
      expect(pageText).toContain('Затримано до дозволу');
      expect(pageText).not.toContain('the inquirer is not verified');
      await ui.shoot(page, '05-case-held-notices');
      await change.getByRole('button', { name: 'Підтвердити' }).click();
      await change.getByText(/підтверджено$/).waitFor();
      await ui.shoot(page, '06-contact-approved');
      expect(ui.failures).toEqual([]);
      const [approved] = await db.query(
        `SELECT state, decided_by FROM contact_change WHERE inquiry_id = $1`,
        [inquiryId],
      );
      expect(approved.state).toBe('approved');
    });
  });
}
