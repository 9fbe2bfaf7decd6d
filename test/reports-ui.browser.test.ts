import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { BrowserSession, signInThroughUi } from './support/browser.js';
import { createInquiry } from './support/inquiries.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { makeStaffUser, signedInStaff, type SignedIn } from './support/staff.js';
import { findProgram } from './support/system-programs.js';

const CHROMIUM = findProgram('chromium', ['/usr/bin/chromium', '/usr/bin/chromium-browser']);

// The reports dashboard in Debian's Chromium: it loads, its figures are the API's, a channel
// filter changes them, and each report has its CSV.
if (!CHROMIUM.path) {
  CHROMIUM.reportMissing('the reports dashboard in a real browser', 'apt-get install -y chromium');
} else {
  describe('the reports dashboard in a real browser', () => {
    let sut: TestApp;
    let base: string;
    let ui: BrowserSession;
    let supervisor: SignedIn;
    let ivanna: { email: string; password: string };

    beforeAll(async () => {
      sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'admin' } });
      await sut.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}`;
      const intake = await signedInStaff(sut, { roles: ['intake'] });
      supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
      for (const [channel, phone] of [
        ['phone', '+7 916 000-00-01'],
        ['phone', '+7 916 000-00-02'],
        ['email', '+7 916 000-00-03'],
      ]) {
        await createInquiry(intake, {
          channel,
          inquirer: {
            fullName: `Мама ${phone}`,
            relationship: 'mother',
            phones: [phone],
            preferredLanguage: 'ru',
          },
          soughtPerson: { surname: `Сын ${phone}`, givenName: 'Иван', birthYear: 2000 },
        });
      }
      const s = await makeStaffUser(sut, { displayName: 'Іванна Лис', roles: ['supervisor'] });
      ivanna = { email: s.user.email, password: s.password };
      ui = await BrowserSession.launch(CHROMIUM.path!, 'reports-ui');
    });

    afterAll(async () => {
      await ui?.close();
      await sut?.close();
    });

    it('shows the API’s figures, filtered by channel, each with its CSV', async () => {
      const page = await ui.newPage();
      await page.goto(`${base}/admin/`);
      await signInThroughUi(page, ivanna);
      await page.getByRole('menuitem', { name: 'Reports' }).click();
      const status = page.locator('[data-report="status"]');
      await status.getByRole('table').waitFor();
      const shown = async () =>
        Object.fromEntries(
          await status
            .locator('tbody tr')
            .evaluateAll((rows) =>
              rows.map((r) => [
                r.querySelector('[data-column="status"]')!.textContent,
                Number(r.querySelector('[data-column="count"]')!.textContent),
              ]),
            ),
        );
      const api = async (query: Record<string, string> = {}) =>
        Object.fromEntries(
          (
            (await supervisor.agent.get('/api/reports/status').query(query)).body.rows as {
              status: string;
              count: number;
            }[]
          ).map((r) => [r.status, r.count]),
        );
      expect(await shown()).toEqual(await api());
      expect(await shown()).toEqual({ received: 3 });
      expect(await status.locator('svg.recharts-surface').count()).toBe(1);
      await ui.expectAccessible(page, 'reports');
      await ui.shoot(page, '01-dashboard');

      await page.getByRole('combobox', { name: 'Channel' }).click();
      await page.getByRole('option', { name: 'Email', exact: true }).click();
      const wanted = await api({ channel: 'email' });
      await status.locator('td[data-column="count"]').filter({ hasText: /^1$/ }).waitFor();
      expect(await shown()).toEqual(wanted);
      const csv = await status.getByRole('link', { name: 'CSV' }).getAttribute('href');
      expect(csv).toBe('/api/reports/status?channel=email&format=csv');
      const download = await page.request.get(`${base}${csv}`);
      expect(await download.text()).toBe('status,count,closed\r\nreceived,1,false\r\n');
      expect(ui.failures).toEqual([]);
    });
  });
}
