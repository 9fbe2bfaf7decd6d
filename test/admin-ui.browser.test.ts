import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { generate } from 'otplib';
import { DataSource } from 'typeorm';
import { IntakeService } from '../src/intake/intake.service.js';
import { BrowserSession, signInThroughUi } from './support/browser.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { makeStaffUser } from './support/staff.js';
import { findProgram } from './support/system-programs.js';

// The caseworkers' UI in Debian's Chromium, against the real app (in this process, listening on
// a free port) on its own real database. Screenshots of each main page go to
// test-results/admin-ui/.
const CHROMIUM = findProgram('chromium', ['/usr/bin/chromium', '/usr/bin/chromium-browser']);

if (!CHROMIUM.path) {
  CHROMIUM.reportMissing('admin UI in a real browser', 'apt-get install -y chromium');
} else {
  describe('admin UI in a real browser', () => {
    let sut: TestApp;
    let base: string;
    let ui: BrowserSession;
    let olena: { email: string; password: string; name: string };
    let iryna: { email: string; password: string; name: string };
    let page: Page;
    let caseUrl: string;
    let reference: string;

    const newPage = () => ui.newPage();
    const shoot = (p: Page, name: string) => ui.shoot(p, name);
    const signIn = signInThroughUi;
    const expectAccessible = (p: Page, what: string) => ui.expectAccessible(p, what);
    const select = async (p: Page, label: string, option: string) => {
      await p.getByRole('combobox', { name: label, exact: true }).click();
      await p.getByRole('option', { name: option, exact: true }).click();
    };

    beforeAll(async () => {
      // Admins must use a second factor; caseworkers and supervisors here need not.
      sut = await createTestApp({
        env: { TOTP_REQUIRED_ROLES: 'admin', INTAKE_AUTHSERV_IDS: 'mx.homecoming.test' },
      });
      await sut.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}`;
      const a = await makeStaffUser(sut, {
        displayName: 'Олена Коваль',
        roles: ['intake', 'caseworker'],
      });
      const b = await makeStaffUser(sut, {
        displayName: 'Ірина Бондар',
        roles: ['caseworker', 'supervisor'],
      });
      olena = { email: a.user.email, password: a.password, name: 'Олена Коваль' };
      iryna = { email: b.user.email, password: b.password, name: 'Ірина Бондар' };
      ui = await BrowserSession.launch(CHROMIUM.path!, 'admin-ui');
      page = await newPage();
    });

    afterAll(async () => {
      await ui?.close();
      await sut?.close();
    });

    it('signs in and shows the queue', async () => {
      await page.goto(`${base}/admin/`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await expectAccessible(page, 'sign-in');
      await shoot(page, '01-sign-in');
      await signIn(page, olena);
      await page.getByRole('heading', { name: 'Inquiry queue' }).first().waitFor();
      expect(page.url()).toMatch(/#\/inquiries$/);
      await page.getByText('Олена Коваль').first().waitFor();
    });

    it('opens an inquiry from a phone call in Cyrillic, with the server’s field errors on the form', async () => {
      await page.getByRole('menuitem', { name: 'Phone intake' }).click();
      await page.getByLabel('Full name, as they say it').fill('Воробьёва Тамара Ильинична');
      await page.getByLabel('Phone numbers (comma-separated)').fill('12');
      await page.getByLabel('Email addresses (comma-separated)').fill('Tamara.V@Mail.test');
      await page.getByLabel('Surname').fill('Воробьёв');
      await page.getByLabel('Given name').fill('Юрий');
      await page.getByLabel('Patronymic').fill('Ильич');
      await page.getByLabel('Year of birth').fill('1999');
      await page.getByLabel('Military unit').fill('в/ч 12345');
      await expectAccessible(page, 'intake');
      await shoot(page, '02-intake');
      await page.getByRole('button', { name: 'Save' }).click();
      // The server refused the phone number; its message sits under that field.
      await page.getByText('each phone must be a valid number').first().waitFor();
      await page.getByLabel('Phone numbers (comma-separated)').fill('+7 916 555-12-34');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(/#\/inquiries\/[0-9a-f-]{36}\/show$/);
      caseUrl = page.url();
      reference = (await page.getByRole('heading', { level: 1 }).first().textContent())!.trim();
      expect(reference).toMatch(/^HC-\d{4}-\d{6}$/);
      await page.getByText('Воробьёв').first().waitFor();
    });

    it('warns of a probable duplicate before saving a second call about the same son', async () => {
      await page.getByRole('menuitem', { name: 'Phone intake' }).click();
      await page.getByLabel('Full name, as they say it').fill('Тамара Воробьёва');
      await page.getByLabel('Phone numbers (comma-separated)').fill('+79165551234');
      await page.getByLabel('Surname').fill('ВОРОБЬЁВ');
      await page.getByLabel('Given name').fill('юрий');
      await page.getByRole('button', { name: 'Save' }).click();
      const dialog = page.getByRole('dialog', { name: 'Possible duplicates' });
      await dialog.waitFor();
      await expect(
        dialog.getByTestId('duplicate-candidate').first().textContent(),
      ).resolves.toContain(reference);
      await shoot(page, '03-duplicate-warning');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
    });

    it('finds the inquiry by a Latin spelling of the Cyrillic name', async () => {
      await page.getByRole('menuitem', { name: 'Inquiry queue' }).click();
      await page.getByPlaceholder('Search names (Cyrillic or Latin)').fill('Vorobyov Yurii');
      await page.getByRole('cell', { name: reference }).waitFor();
      await page.getByText('Воробьёв Юрий Ильич').first().waitFor();
      await expectAccessible(page, 'queue');
      await shoot(page, '04-queue-search');
      await page.getByPlaceholder('Search names (Cyrillic or Latin)').fill('Smirnov');
      await page.getByText('No Inquiries found').first().waitFor();
    });

    it('moves the case through transitions; a blocked one says why', async () => {
      await page.goto(caseUrl);
      const fire = async (button: string, reason?: string) => {
        await page.getByRole('button', { name: button, exact: true }).click();
        const dialog = page.getByRole('dialog');
        if (reason) await dialog.getByLabel('Reason').fill(reason);
        await dialog.getByRole('button', { name: 'Confirm' }).click();
        await expect(dialog.waitFor({ state: 'hidden' })).resolves.toBeUndefined();
      };
      const status = () => page.locator('h1 + [data-status]').getAttribute('data-status');

      await fire('Gathering information');
      await page.locator('[data-status="gathering_information"]').first().waitFor();
      await fire('Verifying');
      await page.locator('h1 + [data-status="verifying"]').waitFor();
      // Confirming detention needs the inquirer verified and the prisoner matched: not yet.
      const blocked = page.locator('[data-transition="confirm_detention"]');
      await expect(blocked.getByRole('button').isDisabled()).resolves.toBe(true);
      await expect(blocked.getByTestId('blocked-reason').textContent()).resolves.toMatch(/verif/i);
      // A hold needs a reason: the dialog refuses without one.
      await page.getByRole('button', { name: 'On hold', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.getByText('A reason is required for this step.').waitFor();
      await page.getByRole('dialog').getByLabel('Reason').fill('Mother abroad until Monday');
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.locator('h1 + [data-status="on_hold"]').waitFor();
      await fire('Verifying');
      await page.locator('h1 + [data-status="verifying"]').waitFor();
      expect(await status()).toBe('verifying');
      const timeline = page.getByTestId('timeline');
      await expect(timeline.locator('[data-kind="status"]').count()).resolves.toBe(5);
      await expect(timeline.textContent()).resolves.toContain('Mother abroad until Monday');
    });

    it('logs a call and schedules a callback; both show on the timeline', async () => {
      const calls = page.getByRole('form', { name: 'Log a call' });
      await select(page, 'Outcome', 'No answer');
      await calls.getByLabel('Notes').fill('Перезвонить вечером');
      await calls.getByRole('button', { name: 'Log a call' }).click();
      await page.getByTestId('call-row').filter({ hasText: 'Перезвонить вечером' }).waitFor();
      const callbacks = page.getByRole('form', { name: 'Schedule a callback' });
      await callbacks.getByLabel('Notes').fill('Обещали перезвонить');
      await callbacks.getByRole('button', { name: 'Schedule a callback' }).click();
      await page.getByTestId('callback-row').filter({ hasText: 'Обещали перезвонить' }).waitFor();
      const timeline = page.getByTestId('timeline');
      await timeline.locator('[data-action="call.log"]').waitFor();
      await timeline.locator('[data-action="callback.schedule"]').waitFor();
      await expectAccessible(page, 'case');
      await shoot(page, '05-case');
    });

    it('writes to the family from the case: the letter waits in the outbox, with the acknowledgement', async () => {
      const form = page.getByRole('form', { name: 'Write to the family' });
      await form.getByLabel('Subject').fill('Документы получены');
      await form.getByLabel('Letter').fill('Спасибо, мы получили фотографии.');
      await form.getByRole('button', { name: 'Send' }).click();
      await page.getByTestId('email-row').filter({ hasText: 'Документы получены' }).waitFor();
      // The acknowledgement of the first call is there too (the sender is off in this test).
      await page.getByTestId('email-row').filter({ hasText: 'Acknowledgement' }).waitFor();
      const [{ n }] = (await sut.app.get(DataSource).query(
        `SELECT count(*)::int AS n FROM outbox_message o JOIN inquiry i ON i.id = o.inquiry_id
           WHERE i.reference = $1 AND o.event_type = 'family.message' AND o.state = 'pending'`,
        [reference],
      )) as { n: number }[];
      expect(n).toBe(1);
      await expectAccessible(page, 'case with mail');
    });

    it('shows mail the family sent on the case: the text, the server’s checks, attachments to download or blocked', async () => {
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
      const boundary = 'ui-received';
      const raw = Buffer.from(
        [
          'Authentication-Results: mx.homecoming.test; spf=pass smtp.mailfrom=mail.test; dkim=pass; dmarc=pass',
          'From: =?UTF-8?B?' +
            Buffer.from('Тамара Воробьёва').toString('base64') +
            '?= <tamara.v@mail.test>',
          `Subject: =?UTF-8?B?${Buffer.from(`Re: [${reference}] Фотографии сына`).toString('base64')}?=`,
          'Message-ID: <ui-received-1@mail.test>',
          'MIME-Version: 1.0',
          `Content-Type: multipart/mixed; boundary="${boundary}"`,
          '',
          `--${boundary}`,
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: base64',
          '',
          Buffer.from('Добрый день! Высылаю военный билет сына.').toString('base64'),
          `--${boundary}`,
          'Content-Type: application/pdf',
          'Content-Disposition: attachment; filename="bilet.pdf"',
          'Content-Transfer-Encoding: base64',
          '',
          pdf.toString('base64'),
          `--${boundary}`,
          'Content-Type: application/octet-stream',
          'Content-Disposition: attachment; filename="photo.jpg.exe"',
          'Content-Transfer-Encoding: base64',
          '',
          Buffer.from('MZ-not-really').toString('base64'),
          `--${boundary}--`,
          '',
        ].join('\r\n'),
      );
      const received = await sut.app.get(IntakeService).receive(raw, 'webhook');
      expect(received.outcome).toBe('attached');
      await page.reload();
      const letter = page.getByTestId('received-email').filter({ hasText: 'Фотографии сына' });
      await letter.waitFor();
      await letter.getByText('Добрый день! Высылаю военный билет сына.').waitFor();
      await letter.getByText('SPF: pass').waitFor();
      await letter.getByText('DMARC: pass').waitFor();
      const download = letter.getByRole('link', { name: 'bilet.pdf' });
      const answer = await page.request.get(
        new URL((await download.getAttribute('href'))!, base).href,
      );
      expect(answer.status()).toBe(200);
      expect(Buffer.compare(await answer.body(), pdf)).toBe(0);
      const blocked = letter
        .getByTestId('received-attachment')
        .filter({ hasText: 'photo.jpg.exe' });
      await blocked.getByText('Blocked').waitFor();
      await blocked.getByText('an executable program').waitFor();
      expect(await blocked.getByRole('link').count()).toBe(0);
      await expectAccessible(page, 'case with received mail');
      await shoot(page, '05b-case-received-mail');
    });

    it('lists the callback under my callbacks, soonest first', async () => {
      await page.getByRole('menuitem', { name: 'My callbacks' }).click();
      await page.getByRole('link', { name: reference }).first().waitFor();
      await page.getByText('Обещали перезвонить').first().waitFor();
      await expectAccessible(page, 'callbacks');
      await shoot(page, '06-my-callbacks');
    });

    it('does not overwrite silently: the second of two saves says who changed the case', async () => {
      const first = page;
      await first.goto(caseUrl);
      await first.getByRole('button', { name: 'Edit details' }).waitFor();
      const second = await newPage();
      await second.goto(caseUrl);
      await signIn(second, iryna);
      await second.getByRole('button', { name: 'Edit details' }).click();
      await second.getByRole('dialog').getByLabel('City').fill('Воронеж');
      await second.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
      await second.getByText('Воронеж').first().waitFor();

      await first.getByRole('button', { name: 'Edit details' }).click();
      await first.getByRole('dialog').getByLabel('Notes').fill('Мать просит писать по-русски');
      await first.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
      const message = first.getByTestId('conflict-message');
      await message.waitFor();
      await expect(message.textContent()).resolves.toContain(iryna.name);
      await shoot(first, '07-conflict');
      await first.getByRole('button', { name: 'Reload' }).click();
      await first.getByText('Воронеж').first().waitFor();
      const notes = await sut.app
        .get(DataSource)
        .query(
          `SELECT r.notes, r.city FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id WHERE i.reference = $1`,
          [reference],
        );
      expect(notes).toEqual([{ notes: null, city: 'Воронеж' }]);
    });

    it('lets a supervisor see the mail quarantine, run a message again and give one up', async () => {
      const db = sut.app.get(DataSource);
      const good = Buffer.from(
        'From: Halyna <halyna.q@mail.test>\r\nSubject: Шукаю брата\r\nMessage-ID: <q-ui-1@mail.test>\r\n' +
          'Content-Type: text/plain; charset=utf-8\r\n\r\nШукаю брата.\r\n',
      );
      await db.query(
        `INSERT INTO inbound_email (source, raw, sha256, size_bytes, outcome, reason, subject)
         VALUES ('webhook', $1, 'ui-quarantine-1', $2, 'quarantined', 'thread: the database was away', 'Шукаю брата'),
                ('imap:INBOX', '\\x00', 'ui-quarantine-2', 1, 'quarantined', 'parse: unreadable', NULL)`,
        [good, good.length],
      );
      const supervisor = await newPage();
      await supervisor.goto(`${base}/admin/#/quarantine`);
      await signIn(supervisor, iryna);
      await supervisor.getByRole('menuitem', { name: 'Mail quarantine' }).click();
      const rows = supervisor.getByTestId('quarantined');
      await rows.filter({ hasText: 'the database was away' }).waitFor();
      await expectAccessible(supervisor, 'quarantine');
      await shoot(supervisor, '08b-quarantine');
      await rows
        .filter({ hasText: 'Шукаю брата' })
        .getByRole('button', { name: 'Run again' })
        .click();
      await supervisor.getByText('Done: opened a case').waitFor();
      await rows
        .filter({ hasText: 'parse: unreadable' })
        .getByRole('button', { name: 'Give up' })
        .click();
      await supervisor.getByText('Done: given up').waitFor();
      await supervisor.getByText('Nothing in quarantine.').waitFor();
      const outcomes = (await db.query(
        `SELECT sha256, outcome FROM inbound_email WHERE sha256 LIKE 'ui-quarantine-%' ORDER BY sha256`,
      )) as { outcome: string }[];
      expect(outcomes.map((o) => o.outcome)).toEqual(['opened', 'discarded']);
    });

    it('after the session ends, signing in again returns to the same case', async () => {
      await page.goto(caseUrl);
      await page.getByRole('heading', { level: 1, name: reference }).waitFor();
      await sut.app.get(DataSource).query(`DELETE FROM staff_session`);
      await page.reload();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await signIn(page, olena);
      await page.waitForURL(caseUrl);
      await page.getByRole('heading', { level: 1, name: reference }).waitFor();
    });

    it('switches the interface to Ukrainian, names and notes unchanged', async () => {
      await page.getByRole('button', { name: /english/i }).click();
      await page.getByRole('menuitem', { name: 'Українська' }).click();
      await page.getByRole('menuitem', { name: 'Черга звернень' }).waitFor();
      await page.getByRole('heading', { name: 'Наступні кроки' }).waitFor();
      await page.getByText('Воробьёв').first().waitFor();
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('uk');
      await shoot(page, '08-case-ukrainian');
      await page.getByRole('menuitem', { name: 'Черга звернень' }).click();
      await page.getByPlaceholder('Пошук імен (кирилицею або латиницею)').fill('Воробьев');
      await page.getByRole('cell', { name: reference }).waitFor();
      await shoot(page, '09-queue-ukrainian');
    });

    it('walks a new auditor through the first sign-in by keyboard alone: new password, authenticator, recovery codes; then shows only what an auditor may do', async () => {
      const temporary = 'temporary-password-1';
      const created = await makeStaffUser(sut, {
        displayName: 'Аудитор',
        roles: ['auditor', 'admin'],
        mustChangePassword: true,
        password: temporary,
      });
      const p = await newPage();
      await p.goto(`${base}/admin/`);
      // The email field has the focus; Tab moves to the password, Enter submits.
      await p.getByLabel('Email').waitFor();
      await p.keyboard.type(created.user.email);
      await p.keyboard.press('Tab');
      await p.keyboard.type(temporary);
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await p.keyboard.type('a-new-password-of-my-own');
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
      const secret = (await p.getByTestId('totp-secret').textContent())!.trim();
      await shoot(p, '10-totp-enrolment');
      await p
        .getByLabel('Six-digit code from your authenticator app')
        .fill(await generate({ secret }));
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: 'Recovery codes' }).waitFor();
      await shoot(p, '11-recovery-codes');
      const codes = (await p.getByTestId('recovery-codes').locator('li').allTextContents()).map(
        (c) => c.trim(),
      );
      expect(codes).toHaveLength(10);
      await p.getByRole('button', { name: 'Continue' }).click();
      await p.getByRole('heading', { name: 'Inquiry queue' }).first().waitFor();

      // An auditor reads: the queue, no intake, no callbacks; on a case, nothing to press.
      await p.getByRole('menuitem', { name: 'Inquiry queue' }).waitFor();
      expect(await p.getByRole('menuitem', { name: 'Phone intake' }).count()).toBe(0);
      expect(await p.getByRole('menuitem', { name: 'My callbacks' }).count()).toBe(0);
      await p.goto(caseUrl);
      await p.getByRole('heading', { level: 1, name: reference }).waitFor();
      await p.getByText('Needs one of the roles').first().waitFor();
      expect(await p.getByRole('button', { name: 'Edit details' }).count()).toBe(0);
      expect(await p.getByRole('button', { name: 'Log a call' }).count()).toBe(0);

      // Sign out; sign in again: now the second factor is asked for (a recovery code here, as
      // the authenticator's current code was spent by the enrolment).
      await p.getByRole('button', { name: 'Profile' }).click();
      await p.getByRole('menuitem', { name: 'Logout' }).click();
      await p.getByRole('button', { name: 'Sign in' }).waitFor();
      await signIn(p, { email: created.user.email, password: 'a-new-password-of-my-own' });
      await p.getByRole('heading', { name: 'Two-step verification' }).waitFor();
      await p.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await p.getByLabel('Recovery code').fill(codes[0]);
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: 'Inquiry queue' }).first().waitFor();
    });

    it('raised no error in any page', () => {
      expect(ui.failures).toEqual([]);
    });
  });
}
