import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { BrowserSession, signInThroughUi } from './support/browser.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { makeStaffUser, signedInStaff } from './support/staff.js';
import { createInquiry } from './support/inquiries.js';
import { findProgram } from './support/system-programs.js';

const CHROMIUM = findProgram('chromium', ['/usr/bin/chromium', '/usr/bin/chromium-browser']);
const REGISTRY = [
  'personal_number,surname,given_names,patronymic,birth_date,fathers_first_name,mothers_maiden_name',
  'AB-2000001,Петров,Алексей,Сергеевич,2001-03-14,Сергей,Иванова',
  'AB-2000002,Петров,Алексей,Игоревич,1999-10-10,Игорь,Смирнова',
].join('\n');

// The four-eyes flow in Debian's Chromium: a caseworker finds the prisoner among the registry
// candidates and proposes him; the caseworker cannot confirm it; a supervisor finds it in the
// queue waiting for a countersignature and signs; the case shows the match confirmed. Then the
// registry page: a file with a bad row is refused with the row named.
if (!CHROMIUM.path) {
  CHROMIUM.reportMissing('identity screens in a real browser', 'apt-get install -y chromium');
} else {
  describe('identity screens in a real browser', () => {
    let sut: TestApp;
    let base: string;
    let ui: BrowserSession;
    let olena: { email: string; password: string };
    let iryna: { email: string; password: string };
    let inquiryId: string;
    let reference: string;

    beforeAll(async () => {
      sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'admin' } });
      await sut.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}`;
      const a = await makeStaffUser(sut, { displayName: 'Олена Коваль', roles: ['caseworker'] });
      const b = await makeStaffUser(sut, { displayName: 'Ірина Бондар', roles: ['supervisor'] });
      olena = { email: a.user.email, password: a.password };
      iryna = { email: b.user.email, password: b.password };
      const importer = await signedInStaff(sut, { roles: ['supervisor'] });
      const imported = await importer.agent
        .post('/api/registry/imports')
        .set('X-CSRF-Token', importer.csrf)
        .set('Content-Type', 'text/csv')
        .send(Buffer.from(REGISTRY));
      expect(imported.status).toBe(200);
      const caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
      ({ id: inquiryId, reference } = await createInquiry(caseworker));
      ui = await BrowserSession.launch(CHROMIUM.path!, 'identity-ui');
    });

    afterAll(async () => {
      await ui?.close();
      await sut?.close();
    });

    const openCase = async (page: Page) => {
      await page.goto(`${base}/admin/#/inquiries/${inquiryId}/show`);
      await page.getByRole('heading', { name: reference, level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Identity' }).waitFor();
    };

    it('a caseworker proposes the registry candidate, with why he ranks first', async () => {
      const page = await ui.newPage();
      await page.goto(`${base}/admin/`);
      await signInThroughUi(page, olena);
      await page.getByRole('heading', { name: 'Inquiry queue' }).first().waitFor();
      await openCase(page);
      await page.getByRole('button', { name: 'Show registry candidates' }).click();
      const first = page.getByTestId('candidate').first();
      await first.waitFor();
      await expect(first.textContent()).resolves.toContain('Петров Алексей Сергеевич');
      await expect(first.textContent()).resolves.toContain('Date of birth: same');
      await ui.expectAccessible(page, 'case with candidates');
      await ui.shoot(page, '01-candidates');
      await first.getByRole('button', { name: 'Propose this prisoner' }).click();
      await page.getByText('Match proposed: another staff member must countersign it').waitFor();
      const match = page.getByTestId('match').first();
      await match.getByText('Proposed').waitFor();
      // Caseworkers do not countersign; nobody countersigns their own proposal.
      expect(await match.getByRole('button', { name: 'Countersign' }).count()).toBe(0);
      expect(
        await page.getByRole('menuitem', { name: 'Waiting for my countersignature' }).count(),
      ).toBe(0);
    });

    it('a supervisor countersigns it from the queue, and the case shows it confirmed', async () => {
      const page = await ui.newPage();
      await page.goto(`${base}/admin/`);
      await signInThroughUi(page, iryna);
      await page.getByRole('menuitem', { name: 'Waiting for my countersignature' }).click();
      const row = page.getByTestId('awaiting').filter({ hasText: reference });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('Олена Коваль');
      await ui.expectAccessible(page, 'countersignature queue');
      await ui.shoot(page, '02-queue');
      await row.getByRole('button', { name: 'Review and countersign' }).click();
      await page
        .getByRole('dialog')
        .getByRole('button', { name: 'Countersign: this is Петров Алексей Сергеевич' })
        .click();
      await page.getByText('Nothing is waiting for you.').waitFor();
      await openCase(page);
      await page.getByTestId('match').first().getByText('Confirmed').waitFor();
      // On the timeline, by name: who proposed and who countersigned.
      const timeline = page.getByTestId('timeline');
      await timeline.getByText(/^Registry match countersigned/).waitFor();
      await timeline.getByText(/^Registry match proposed/).waitFor();
      await ui.shoot(page, '03-confirmed');
      const [match] = await sut.app
        .get(DataSource)
        .query(
          `SELECT state, proposed_by, countersigned_by FROM inquiry_match WHERE inquiry_id = $1`,
          [inquiryId],
        );
      expect(match.state).toBe('confirmed');
      expect(match.proposed_by).not.toBe(match.countersigned_by);
    });

    it('the registry page finds a name in Latin letters and refuses a file with a bad row, naming it', async () => {
      const page = await ui.newPage();
      await page.goto(`${base}/admin/`);
      await signInThroughUi(page, iryna);
      await page.getByRole('menuitem', { name: 'Prisoner registry' }).click();
      await page.getByLabel('Name or personal number').fill('Petrov Aleksey');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByTestId('prisoner').first().waitFor();
      await expect(page.getByTestId('prisoner').first().textContent()).resolves.toContain('Петров');
      await page.getByLabel('Choose a file').setInputFiles({
        name: 'registry.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(
          'personal_number,surname,given_names,birth_date\nAB-2000003,Орлов,Никита,2001-02-30\n',
        ),
      });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const bad = page.getByTestId('bad-row').first();
      await bad.waitFor();
      await expect(bad.textContent()).resolves.toContain('birthDate is not a real date');
      await ui.expectAccessible(page, 'registry');
      await ui.shoot(page, '04-registry');
      expect(ui.failures).toEqual([]);
    });
  });
}
