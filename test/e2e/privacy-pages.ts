/**
 * Getting around the Privacy screen in the browser specs: its summary first, each record one
 * click away under "Privacy sections".
 */
import { expect, type Page } from '@playwright/test';

/** A screen's button in the app's main navigation. */
export function nav(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });
}

/** Loads the app at `url`, opens the Privacy screen and, if named, one of its pages. */
export async function openPrivacy(page: Page, url: string, section?: string): Promise<void> {
  await page.goto(url);
  await nav(page, 'Privacy').click();
  await expect(page.getByRole('heading', { name: 'Privacy', level: 1 })).toBeVisible();
  if (section) await privacyPage(page, section);
}

/** Opens a page of the Privacy screen. */
export async function privacyPage(page: Page, name: string): Promise<void> {
  const tab = page.getByRole('navigation', { name: 'Privacy sections' }).getByRole('button', { name, exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-current', 'page');
}
