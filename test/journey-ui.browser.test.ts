import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { BrowserSession, signInThroughUi } from './support/browser.js';
import { caseWithIdentitySettled } from './support/identity.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { makeStaffUser, signedInStaff } from './support/staff.js';
import { findProgram } from './support/system-programs.js';

const CHROMIUM = findProgram('chromium', ['/usr/bin/chromium', '/usr/bin/chromium-browser']);
// The value of a datetime-local / date input, `days` from now, in the browser's (= this
// process's) time zone.
const localInput = (days: number, dateOnly = false) => {
  const d = new Date(Date.now() + days * 86_400_000);
  const text = new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString();
  return dateOnly ? text.slice(0, 10) : text.slice(0, 16);
};

// A case driven through the screens from detention_confirmed to handed_over, in Debian's
// Chromium: the travel plan, setting off, the steps on the way, the appointment in Kyiv, the
// handover recorded by one caseworker and confirmed by another, the act to print; and the
// supervisors' crossing manifest.
if (!CHROMIUM.path) {
  CHROMIUM.reportMissing('the journey in a real browser', 'apt-get install -y chromium');
} else {
  describe('the journey in a real browser', () => {
    let sut: TestApp;
    let base: string;
    let ui: BrowserSession;
    let olena: { email: string; password: string };
    let iryna: { email: string; password: string };
    let caseUrl: string;

    const fire = async (page: Page, button: string) => {
      await page.getByRole('button', { name: button, exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await dialog.waitFor({ state: 'hidden' });
    };
    const statusIs = (page: Page, status: string) =>
      page.locator(`h1 + [data-status="${status}"]`).waitFor();

    beforeAll(async () => {
      sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'admin' } });
      await sut.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}`;
      const a = await makeStaffUser(sut, { displayName: 'Олена Коваль', roles: ['caseworker'] });
      const b = await makeStaffUser(sut, {
        displayName: 'Ірина Бондар',
        roles: ['caseworker', 'supervisor'],
      });
      olena = { email: a.user.email, password: a.password };
      iryna = { email: b.user.email, password: b.password };
      const caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
      const supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
      await supervisor.agent
        .post('/api/registry/imports')
        .set('X-CSRF-Token', supervisor.csrf)
        .set('Content-Type', 'text/csv')
        .send(
          Buffer.from(
            'personal_number,surname,given_names,patronymic,birth_date\nAB-6000001,Петров,Алексей,Сергеевич,2001-03-14\n',
          ),
        );
      const db = sut.app.get(DataSource);
      const [{ id: prisonerId }] = (await db.query(`SELECT id FROM prisoner`)) as { id: string }[];
      const id = await caseWithIdentitySettled(
        caseworker,
        supervisor,
        prisonerId,
        'detention_confirmed',
      );
      caseUrl = `${base}/admin/#/inquiries/${id}/show`;
      // A place in Kyiv, as an admin keeps it (admins need a second factor in this app).
      await db.query(
        `INSERT INTO handover_location (name_uk, name_ru, name_en, address, instructions_uk,
           instructions_ru, instructions_en)
         VALUES ('Координаційний центр', 'Координационный центр', 'Coordination centre',
           'Київ, вул. Прикладна, 1', 'Вхід з двору.', 'Вход со двора.',
           'Entrance from the courtyard.')`,
      );
      ui = await BrowserSession.launch(CHROMIUM.path!, 'journey-ui');
    });

    afterAll(async () => {
      await ui?.close();
      await sut?.close();
    });

    it('plans the journey, sets off, and records each step on the way', async () => {
      const page = await ui.newPage();
      await page.goto(`${base}/admin/`);
      await signInThroughUi(page, olena);
      await page.getByRole('heading', { name: 'Inquiry queue' }).first().waitFor();
      await page.goto(caseUrl);
      await statusIs(page, 'detention_confirmed');
      await fire(page, 'Travel planning');
      await statusIs(page, 'travel_planning');

      await page.getByLabel('Entry into Poland').fill(localInput(1, true));
      await page.getByRole('combobox', { name: 'Border crossing point' }).click();
      await page.getByRole('option', { name: 'Medyka–Shehyni' }).click();
      await page.getByLabel('Planned crossing').fill(localInput(2));
      await page.getByLabel("Escort's name").fill('Остап Гнатюк');
      await page.getByLabel("Escort's phone").fill('+380 67 000 00 01');
      await page.getByLabel("Inquirer's document number").fill('75 1234567');
      // Setting off needs the plan: blocked until it is saved.
      await expect(
        page.locator('[data-transition="start_transit"]').getByRole('button').isDisabled(),
      ).resolves.toBe(true);
      await page.getByRole('button', { name: 'Save the plan' }).click();
      await page.getByTestId('plan-summary').getByText('Plan version 1').waitFor();
      await expect(page.getByTestId('plan-summary').textContent()).resolves.toContain('…4567');
      await ui.expectAccessible(page, 'travel plan');
      await ui.shoot(page, '01-plan');
      await fire(page, 'In transit');
      await statusIs(page, 'in_transit');

      for (const step of [
        'Entered Poland',
        'At the crossing',
        'Crossed into Ukraine',
        'Met by the escort',
        'Arrived in Kyiv',
      ]) {
        await page.getByRole('button', { name: `Record: ${step}` }).click();
        await page.getByTestId('travel-step').filter({ hasText: step }).waitFor();
      }
      expect(await page.getByTestId('travel-step').count()).toBe(5);
      await ui.shoot(page, '02-steps');
    }, 90_000); // a long flow through many screens: slow on a busy machine

    it('makes the appointment, records the handover, and a second caseworker confirms it', async () => {
      const page = await ui.newPage();
      await page.goto(`${base}/admin/`);
      await signInThroughUi(page, olena);
      await page.getByRole('heading', { name: 'Inquiry queue' }).first().waitFor();
      await page.goto(caseUrl);
      await statusIs(page, 'in_transit');
      await page.getByRole('combobox', { name: 'Place in Kyiv' }).click();
      await page.getByRole('option', { name: 'Coordination centre' }).click();
      await page.getByLabel('Officials present').fill('Капітан Іваненко, Пані Шевчук');
      await page.getByRole('button', { name: 'Make the appointment' }).click();
      await page.getByTestId('appointment').getByText('Scheduled').waitFor();
      await fire(page, 'Handover scheduled');
      await statusIs(page, 'handover_scheduled');
      await page.getByLabel('Handed over at').fill(localInput(0));
      await page.getByLabel('Act number').fill('АКТ-2026/117');
      await page.getByRole('button', { name: 'Record the handover' }).click();
      await page.getByText('Waiting for a second official to confirm').waitFor();
      expect(await page.getByRole('button', { name: 'Confirm as second official' }).count()).toBe(
        0,
      );
      await expect(
        page.locator('[data-transition="complete_handover"]').getByRole('button').isDisabled(),
      ).resolves.toBe(true);

      const second = await ui.newPage();
      await second.goto(`${base}/admin/`);
      await signInThroughUi(second, iryna);
      await second.getByRole('heading', { name: 'Inquiry queue' }).first().waitFor();
      await second.goto(caseUrl);
      await second.getByRole('button', { name: 'Confirm as second official' }).click();
      await second.getByTestId('appointment').getByText('Completed').waitFor();
      await fire(second, 'Handed over');
      await statusIs(second, 'handed_over');
      await ui.expectAccessible(second, 'handed over');
      await ui.shoot(second, '03-handed-over');
      const act = await second.request.get(
        await second
          .getByRole('link', { name: 'Print the act' })
          .getAttribute('href')
          .then((h) => `${base}${h}`),
      );
      expect(act.status()).toBe(200);
      expect(await act.text()).toContain('Акт передачі № АКТ-2026/117');
    }, 90_000);

    it('gives supervisors the crossing manifest', async () => {
      const page = await ui.newPage();
      await page.goto(`${base}/admin/`);
      await signInThroughUi(page, iryna);
      await page.getByRole('menuitem', { name: 'Crossing manifest' }).click();
      await page.getByRole('combobox', { name: 'Border crossing point' }).click();
      await page.getByRole('option', { name: 'Medyka–Shehyni' }).click();
      const href = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
      expect(href).toContain('crossingPointId=medyka-shehyni');
      await ui.expectAccessible(page, 'manifest');
      expect(ui.failures).toEqual([]);
    });
  });
}
