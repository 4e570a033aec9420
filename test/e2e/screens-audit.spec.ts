/**
 * Every screen, as a new user meets it with one repository and two recovery points, checked in
 * light and dark at 1024×700: axe-core finds no serious or critical accessibility violation, the
 * browser console shows no error (a Content-Security-Policy violation is one) and no request
 * fails, and nothing scrolls sideways.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { type ServedRepository, servedRepository } from './fixture.js';
import { nav, privacyPage } from './privacy-pages.js';

const PASSWORD = 'correct horse battery staple';
let served: ServedRepository;

test.beforeAll(async () => {
  served = await servedRepository({
    name: 'audit',
    password: PASSWORD,
    files: { 'notes.txt': 'first version\n', 'photos/cat.jpg': 'not really a cat\n' },
    backups: [{}, { 'notes.txt': 'second version\n' }],
    connect: { label: 'Test disk', region: 'EU' },
    addSource: true,
  });
});

test.afterAll(async () => {
  await served?.stop();
});

/** How to reach each screen (and each page of the Privacy screen) from a loaded app. */
const SCREENS: { name: string; open: (page: Page) => Promise<void> }[] = [
  { name: 'Dashboard', open: (page) => nav(page, 'Dashboard').click() },
  { name: 'Recovery points', open: (page) => nav(page, 'Recovery points').click() },
  { name: 'Restore', open: (page) => nav(page, 'Restore').click() },
  { name: 'Retention and schedule', open: (page) => nav(page, 'Retention and schedule').click() },
  { name: 'Settings', open: (page) => nav(page, 'Settings').click() },
  { name: 'Add a repository', open: (page) => nav(page, 'Add a repository').click() },
  ...['Summary', 'Requests and incidents', 'Erase files', 'Statistics', 'Audit trail', 'Records'].map((tab) => ({
    name: `Privacy: ${tab}`,
    open: async (page: Page) => {
      await nav(page, 'Privacy').click();
      await privacyPage(page, tab);
    },
  })),
];

for (const scheme of ['light', 'dark'] as const) {
  test(`every screen in ${scheme}: no serious accessibility violation, no console error, no sideways scrolling`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.emulateMedia({ colorScheme: scheme });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });

    await page.goto(served.server.url);
    await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
    for (const screen of SCREENS) {
      await screen.open(page);
      await expect(page.getByText('Loading…')).toHaveCount(0);
      // The printable records' frame is sandboxed without scripts, so axe is kept out of frames (it is
      // a plain document of headings and tables, checked by the records' own tests).
      const axe = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .options({ iframes: false })
        .analyze();
      for (const v of axe.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
        problems.push(`${screen.name}: ${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      }
      const sideways = await page.evaluate<boolean>(
        'document.documentElement.scrollWidth > document.documentElement.clientWidth',
      );
      if (sideways) problems.push(`${screen.name}: scrolls sideways at 1024 px`);
    }
    expect(problems).toEqual([]);
  });
}
