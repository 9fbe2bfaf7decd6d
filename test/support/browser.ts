import { AxeBuilder } from '@axe-core/playwright';
import { expect } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const UI_TIMEOUT = 15_000;

// Debian's Chromium driven by Playwright, for the admin UI's browser tests: pages in their own
// contexts (one per signed-in user), errors the page logs collected in `failures`, screenshots
// under test-results/<folder>/, and an accessibility check (axe) of a page as the user sees it.
export class BrowserSession {
  readonly failures: string[] = [];
  private contexts: BrowserContext[] = [];

  private constructor(
    private readonly browser: Browser,
    private readonly shots: string,
  ) {}

  static async launch(executablePath: string, folder: string): Promise<BrowserSession> {
    const shots = path.resolve('test-results', folder);
    mkdirSync(shots, { recursive: true });
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    return new BrowserSession(browser, shots);
  }

  // Reduced motion: the UI then skips its animations, so axe measures colours as they are, not
  // halfway through a fade-in.
  // `locale` 'uk-UA': the admin UI starts in Ukrainian, as staff use it.
  async newPage(options: { locale?: string } = {}): Promise<Page> {
    const context = await this.browser.newContext({
      reducedMotion: 'reduce',
      locale: options.locale ?? 'en-GB',
      viewport: { width: 1400, height: 1000 },
    });
    this.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('pageerror', (e) => this.failures.push(`page error: ${e.message}`));
    // Errors React caught (a crashed screen) are logged; refused requests (401, 409) are the
    // browser's own lines and expected.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
        this.failures.push(`console error: ${m.text().slice(0, 300)}`);
      }
    });
    return page;
  }

  shoot(page: Page, name: string): Promise<Buffer> {
    return page.screenshot({ path: path.join(this.shots, `${name}.png`), fullPage: true });
  }

  // No serious or critical accessibility violations on the page as it is now: loaded (no
  // spinner) and with its colours as they finally are.
  async expectAccessible(page: Page, what: string): Promise<void> {
    await page.waitForLoadState('networkidle');
    await page.locator('[role="progressbar"]').first().waitFor({ state: 'detached' });
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { getAnimations(): unknown[] } }
        ).document.getAnimations().length === 0,
    );
    const { violations } = await new AxeBuilder({ page }).analyze();
    const bad = violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${what}: ${v.id} (${v.impact}) ${v.nodes
            .map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`)
            .slice(0, 3)
            .join(' | ')}`,
      );
    expect(bad).toEqual([]);
  }

  async close(): Promise<void> {
    for (const c of this.contexts) await c.close().catch(() => undefined);
    this.contexts = [];
    await this.browser.close();
  }
}

export async function signInThroughUi(page: Page, who: { email: string; password: string }) {
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
