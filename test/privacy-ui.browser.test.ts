import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { BrowserSession, signInThroughUi, UI_TIMEOUT } from './support/browser.js';
import { createInquiry } from './support/inquiries.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { makeStaffUser, signedInStaff, type SignedIn } from './support/staff.js';
import { findProgram } from './support/system-programs.js';

const CHROMIUM = findProgram('chromium', ['/usr/bin/chromium', '/usr/bin/chromium-browser']);

// The family's data on the case page, in Debian's Chromium: a supervisor downloads the copy and
// erases it on request; a caseworker sees neither.
if (!CHROMIUM.path) {
  CHROMIUM.reportMissing('the family’s data in a real browser', 'apt-get install -y chromium');
} else {
  describe('the family’s data in a real browser', () => {
    let sut: TestApp;
    let base: string;
    let ui: BrowserSession;
    let caseworker: SignedIn;
    let supervisor: { email: string; password: string };
    let worker: { email: string; password: string };
    let caseId: string;
    let inquirerId: string;

    beforeAll(async () => {
      sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
      await sut.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}`;
      caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
      const created = await createInquiry(caseworker, {
        inquirer: {
          fullName: 'Мельник Оксана',
          relationship: 'mother',
          phones: ['+380 67 555 12 34'],
          preferredLanguage: 'uk',
        },
      });
      caseId = created.id;
      const closed = await caseworker.agent
        .post(`/api/inquiries/${caseId}/transitions`)
        .set('X-CSRF-Token', caseworker.csrf)
        .send({ to: 'closed_withdrawn', version: created.version, reason: 'Син знайшовся' });
      expect(closed.status).toBe(200);
      [{ inquirer_id: inquirerId }] = (await sut.app
        .get(DataSource)
        .query(`SELECT inquirer_id FROM inquiry WHERE id = $1`, [caseId])) as {
        inquirer_id: string;
      }[];
      const s = await makeStaffUser(sut, { roles: ['supervisor'] });
      supervisor = { email: s.user.email, password: s.password };
      const w = await makeStaffUser(sut, { roles: ['caseworker'] });
      worker = { email: w.user.email, password: w.password };
      ui = await BrowserSession.launch(CHROMIUM.path!, 'privacy-ui');
    });

    afterAll(async () => {
      await ui?.close();
      await sut?.close();
    });

    it('lets a supervisor download the family’s data and erase it on request', async () => {
      const page = await ui.newPage();
      await page.goto(`${base}/admin/`);
      await signInThroughUi(page, supervisor);
      await page.getByRole('heading', { name: 'Inquiry queue' }).first().waitFor();
      await page.goto(`${base}/admin/#/inquiries/${caseId}/show`);
      const panel = page.getByRole('region', { name: 'The family’s data' });
      await panel.waitFor({ timeout: UI_TIMEOUT });
      const link = panel.getByRole('link', { name: /Download everything held about them/ });
      expect(await link.getAttribute('href')).toBe(`/api/inquirers/${inquirerId}/export`);
      const download = await Promise.all([page.waitForEvent('download'), link.click()]).then(
        ([d]) => d,
      );
      expect(download.suggestedFilename()).toBe(`subject-${inquirerId}.zip`);

      await panel.getByRole('button', { name: 'Erase on request…' }).click();
      const confirm = panel.getByRole('button', { name: 'Erase their data' });
      expect(await confirm.isDisabled()).toBe(true);
      await panel
        .getByLabel('How the request came and was checked')
        .fill('By phone on 29 November, identity confirmed by a call back');
      await confirm.click();
      await panel.getByTestId('pseudonymised').waitFor({ timeout: UI_TIMEOUT });
      await page.getByText('Мельник Оксана').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
      const [row] = (await sut.app
        .get(DataSource)
        .query(`SELECT full_name, phones FROM inquirer WHERE id = $1`, [inquirerId])) as {
        full_name: string;
        phones: string[];
      }[];
      expect(row).toEqual({ full_name: '-', phones: [] });
      await page.close();
    });

    it('shows a caseworker neither', async () => {
      const page = await ui.newPage();
      await page.goto(`${base}/admin/`);
      await signInThroughUi(page, worker);
      await page.getByRole('heading', { name: 'Inquiry queue' }).first().waitFor();
      await page.goto(`${base}/admin/#/inquiries/${caseId}/show`);
      await page.getByRole('heading', { name: 'Status link for the family' }).waitFor({
        timeout: UI_TIMEOUT,
      });
      expect(await page.getByRole('region', { name: 'The family’s data' }).count()).toBe(0);
      await page.close();
    });
  });
}
