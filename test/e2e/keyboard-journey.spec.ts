/**
 * The first hour with the keyboard alone: First run (storage, password, recovery kit, folders,
 * exclusions, schedule, privacy), Back up now, and restoring one file into another folder. Every
 * control is reached with Tab (and arrow keys inside a radio group) and used with Enter, Space or
 * typing; nothing is clicked. A control that Tab cannot reach fails the test.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { type ServedRepository, servedRepository } from './fixture.js';

const PASSWORD = 'keyboard only, no mouse at all';
let served: ServedRepository;

test.beforeAll(async () => {
  served = await servedRepository({ name: 'keyboard', files: { 'letters/letter.txt': 'Dear reader,\n' } });
});

test.afterAll(async () => {
  await served?.stop();
});

/**
 * The page's document as these tests see it (they are type-checked without the DOM library);
 * the functions run in the page, so each one reaches it through globalThis itself.
 */
type InPage = { document: { activeElement: { name?: string } | null } };

const focused = (locator: Locator) =>
  locator.evaluate((el) => el === (globalThis as unknown as InPage).document.activeElement);

/** Presses Tab until `locator` has the focus; fails when 120 presses do not reach it. */
async function tabTo(page: Page, locator: Locator): Promise<void> {
  await expect(locator).toBeVisible();
  for (let i = 0; i < 120; i++) {
    if (await focused(locator)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${String(locator)}`);
}

async function press(page: Page, locator: Locator, key: 'Enter' | 'Space' = 'Enter'): Promise<void> {
  await tabTo(page, locator);
  await page.keyboard.press(key);
}

async function typeInto(page: Page, locator: Locator, text: string): Promise<void> {
  await tabTo(page, locator);
  await page.keyboard.type(text);
}

/** Tabs into the radio group of `radio`, then moves with the arrow keys until it is the one checked. */
async function chooseRadio(page: Page, radio: Locator): Promise<void> {
  const group = await radio.getAttribute('name');
  for (let i = 0; i < 120; i++) {
    const inGroup = await page.evaluate(
      (name) => (globalThis as unknown as InPage).document.activeElement?.name === name,
      group,
    );
    if (inGroup) break;
    await page.keyboard.press('Tab');
  }
  for (let i = 0; i < 12 && !(await radio.isChecked()); i++) await page.keyboard.press('ArrowDown');
  await expect(radio).toBeChecked();
}

test('first run, a backup and a restore with the keyboard alone', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(served.server.url);
  await expect(page.getByRole('heading', { name: 'Set up Cairn' })).toBeVisible();

  // ---- First run
  await typeInto(page, page.getByLabel('Storage folder'), join(served.dir, 'repo'));
  await press(page, page.getByRole('button', { name: 'Continue' }));
  await typeInto(page, page.getByRole('textbox', { name: 'Password', exact: true }), PASSWORD);
  await typeInto(page, page.getByLabel('Confirm password'), PASSWORD);
  await press(page, page.getByRole('button', { name: 'Create repository' }));
  await press(page, page.getByRole('button', { name: 'Make the recovery kit' }));
  await press(page, page.getByLabel('I printed or wrote down the recovery key'), 'Space');
  await press(page, page.getByRole('button', { name: 'Continue' }));
  await typeInto(page, page.getByLabel('Folder to back up'), served.source);
  await press(page, page.getByRole('button', { name: 'Add folder' }));
  await expect(page.getByRole('list', { name: 'Folders to back up' }).getByText(served.source)).toBeVisible();
  await press(page, page.getByRole('button', { name: 'Continue' }));
  await expect(page.getByRole('heading', { name: 'Exclusions' })).toBeVisible();
  await press(page, page.getByRole('button', { name: 'Continue' }));
  await chooseRadio(page, page.getByRole('radio', { name: /^Only when I press/ }));
  await press(page, page.getByRole('button', { name: 'Continue' }));
  await press(page, page.getByRole('button', { name: 'Finish' }));
  await expect(page.getByText('Cairn is set up.')).toBeVisible();
  await press(page, page.getByRole('button', { name: 'Go to the Dashboard' }));

  // ---- Back up now
  await press(page, page.getByRole('button', { name: 'Back up now', exact: true }));
  const activity = page.getByRole('region', { name: 'Activity' });
  await expect(activity.getByText('Finished')).toBeVisible();

  // ---- Restore one file into another folder
  const target = join(served.dir, 'restored');
  await mkdir(target);
  await press(page, page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Restore' }));
  const main = page.getByRole('main');
  await chooseRadio(page, main.getByRole('radio', { name: /The latest version/ }));
  await press(page, main.getByRole('button', { name: 'Continue' }));
  await chooseRadio(page, main.getByRole('radio', { name: 'Only the files and folders I select' }));
  await press(page, main.getByRole('button', { name: 'Open letters' }));
  await press(page, main.getByRole('checkbox', { name: 'Select letter.txt' }), 'Space');
  await press(page, main.getByRole('button', { name: 'Continue' }));
  await chooseRadio(page, main.getByRole('radio', { name: 'Another folder' }));
  await typeInto(page, main.getByLabel('Folder to restore into'), target);
  await press(page, main.getByRole('button', { name: 'Continue' }));
  await expect(main.getByRole('table', { name: 'What happens to each file' })).toBeVisible();
  await press(page, main.getByRole('button', { name: 'Restore', exact: true }));
  await expect(main.getByRole('heading', { name: 'Restore finished' })).toBeVisible();
  expect(await readFile(join(target, served.source, 'letters', 'letter.txt'), 'utf8')).toBe('Dear reader,\n');
});
