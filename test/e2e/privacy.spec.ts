/**
 * The Privacy screen and the privacy parts of other screens, in Chromium against a real
 * `cairn serve`, a repository made with the `cairn` CLI and temp folders: First run's privacy
 * step records only what was ticked; a consent is given and withdrawn and the ledger shows it;
 * usage statistics show the report and its randomised form before consent, and their address is
 * set and removed on the screen (a receiver set is a recipient while consent is given);
 * "Export my data" writes a ZIP that holds the manifest, the consent ledger and the audit trail;
 * a file is erased from every recovery point and no point restores it any more (the exclusion
 * offered, the file still on disk reported and excluded from its folder, the receipt naming it
 * saved where asked); a recovery point
 * is frozen and unfrozen; an incident opened by hand shows the banner with its 72-hour clock and
 * closing it removes the banner; "Erase all my data" with the typed words writes the receipt and
 * removes the repository folder. Screenshots go to docs/screenshots.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { cairn } from '../support/cli.js';
import { type ServedRepository, servedRepository } from './fixture.js';
import { nav, openPrivacy, privacyPage } from './privacy-pages.js';
import { callApi, cliDataDir, ROOT } from './serve.js';

const PASSWORD = 'quartz harbour violet 17';
const SHOTS = resolve(ROOT, 'docs/screenshots');

test.describe.configure({ mode: 'serial' });

let served: ServedRepository;
let dir: string;
let repoPath: string;
let source: string;

interface Consent {
  purpose: string;
  given: boolean;
  last: { given: boolean; via: string } | null;
}

test.beforeAll(async () => {
  // Two recovery points made with the CLI; First run connects the repository in the test.
  served = await servedRepository({
    name: 'privacy',
    password: PASSWORD,
    files: {
      'keep.txt': 'This file stays.\n',
      'medical-letter.txt': 'Private: to be erased from every recovery point.\n',
    },
    backups: [{}, { 'keep.txt': 'This file stays, second version.\n' }],
  });
  ({ dir, repoPath, source } = served);
  await mkdir(SHOTS, { recursive: true });
});

test.afterAll(async () => {
  await served?.stop();
});

async function repositoryId(): Promise<string> {
  const status = await callApi<{ repositories: { id: string }[] }>(served.server, 'app.status', {});
  const id = status.repositories[0]?.id;
  if (!id) throw new Error('no repository is connected');
  return id;
}

test('first run: the privacy notice leaves the optional consent off unless ticked', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(served.server.url);
  await expect(page.getByRole('heading', { name: 'Set up Cairn' })).toBeVisible();
  await page.getByRole('radio', { name: 'Connect a repository that already exists' }).check();
  await page.getByLabel('Storage folder').fill(repoPath);
  await page.getByLabel('Name', { exact: true }).fill('Home backup');
  await page.getByLabel('Region where the data is stored').selectOption('EU');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('heading', { name: 'Folders' })).toBeVisible();
  await page.getByLabel('Folder to back up').fill(source);
  await page.getByRole('button', { name: 'Add folder' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('radio', { name: /^Only when I press/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page.getByRole('heading', { name: 'Privacy', exact: true })).toBeVisible();
  const usage = page.getByRole('checkbox', { name: 'Anonymous usage statistics' });
  await expect(usage).not.toBeChecked();
  // Product news was retired: the statistics are the one optional choice.
  await expect(page.getByRole('checkbox')).toHaveCount(1);
  await expect(page.getByText(/never contains paths, file names/)).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'first-run-privacy.png'), fullPage: true });
  await usage.check();
  await page.getByRole('button', { name: 'Finish' }).click();
  await expect(page.getByText('Cairn is set up.')).toBeVisible();

  const consents = await callApi<Consent[]>(served.server, 'consent.list', {});
  expect(consents.map((c) => c.purpose)).toEqual(['backup', 'usage-statistics']);
  const byPurpose = Object.fromEntries(consents.map((c) => [c.purpose, c]));
  expect(byPurpose['usage-statistics']).toMatchObject({ given: true, last: { given: true, via: 'app' } });
  // The region picked for the first repository became the chosen region.
  expect(await callApi<{ chosen: string | null }>(served.server, 'privacy.region.get', {})).toMatchObject({
    chosen: 'EU',
  });
});

test('a consent is given and withdrawn, and the ledger and audit trail record it', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await openPrivacy(page, served.server.url);
  const ledger = page.getByRole('list', { name: 'Consent ledger' });
  const usage = ledger
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: 'Anonymous usage statistics' }) });
  // Given in First run: withdrawn, given again and withdrawn here.
  await expect(usage.getByText('given', { exact: true })).toBeVisible();
  await usage.getByRole('button', { name: 'Withdraw', exact: true }).click();
  await expect(usage.getByText('not given', { exact: true })).toBeVisible();
  await usage.getByRole('button', { name: 'Give', exact: true }).click();
  await expect(usage.getByText('given', { exact: true })).toBeVisible();
  await expect(usage.getByText(/^Given .* in the app, notice version 2\.$/)).toBeVisible();
  await usage.getByRole('button', { name: 'Withdraw', exact: true }).click();
  await expect(usage.getByText('not given', { exact: true })).toBeVisible();
  await expect(usage.getByText(/^Withdrawn .* in the app, notice version 2\.$/)).toBeVisible();
  await expect(usage.getByRole('button', { name: 'Give', exact: true })).toBeVisible();

  const consents = await callApi<Consent[]>(served.server, 'consent.list', {});
  expect(consents.find((c) => c.purpose === 'usage-statistics')).toMatchObject({
    given: false,
    last: { given: false, via: 'app' },
  });
  // The summary fits one screen; the records are each one click away.
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  expect(height).toBeLessThan(2600);
  await page.screenshot({ path: join(SHOTS, 'privacy.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'privacy-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await privacyPage(page, 'Audit trail');
  const audit = page.getByRole('region', { name: 'Audit trail entries' });
  await page.getByRole('region', { name: 'Audit trail', exact: true }).getByRole('button', { name: 'Refresh' }).click();
  await expect(audit.getByText('consent.withdrawn').first()).toBeVisible();
  await page.getByRole('button', { name: 'Verify the audit trail' }).click();
  await expect(page.getByText(/^Verified: \d+ entries, every hash, mac and link checked/)).toBeVisible();
  await expect(page.getByText(/^Checked .*(compared with|not compared with any repository)/)).toBeVisible();
  // `cairn serve` has no keychain: the key is in the data folder, and the screen says what that means.
  await expect(
    page.getByText(
      /^The chain key is in the file .*audit\.key, in the app's data folder\. .*someone who can read the folder can read the key/,
    ),
  ).toBeVisible();

  // The records of processing are shown in their printable frame.
  await privacyPage(page, 'Records');
  const record = page.frameLocator('iframe[title="Records of processing (printable)"]');
  await expect(record.getByRole('heading', { name: /Records of processing activities/ })).toBeVisible();
});

test('usage statistics: the report and its randomised form before consent, and the address set here', async ({
  page,
}) => {
  await openPrivacy(page, served.server.url, 'Statistics');
  const section = page.locator('#privacy-usage');
  await expect(section.getByText(/^Off\. Nothing is counted or sent/)).toBeVisible();
  // Exactly what a report holds — the true buckets and one randomised sample — with ε in one sentence.
  const truth = section.getByRole('figure', { name: /^This week, with the true buckets/ });
  await expect(truth).toContainText('"week": "');
  await expect(truth).toContainText('"backups": "0"');
  await expect(section.getByRole('figure', { name: /^Exactly what is sent/ })).toContainText('"largestBackup": "');
  await expect(
    section.getByText(/chance of 3 in 7 \(3 in 9 for the size\).*ε = ln 3 ≈ 1\.10 per counter, 3\.30 per report\.$/),
  ).toBeVisible();

  const field = section.getByRole('textbox', { name: 'Statistics address' });
  await field.fill('http://stats.example.org/cairn');
  await section.getByRole('button', { name: 'Save address' }).click();
  await expect(section.getByRole('alert')).toContainText('https');
  await field.fill('https://stats.example.org/cairn');
  await section.getByRole('button', { name: 'Save address' }).click();
  await expect(section.getByText('Saved. Reports go to this address while consent is given.')).toBeVisible();
  await expect(section.getByText('https://stats.example.org/cairn', { exact: true })).toBeVisible();
  expect((await callApi<{ endpoint: string }>(served.server, 'usage.preview', {})).endpoint).toBe(
    'https://stats.example.org/cairn',
  );

  // While consent is given, the receiver is a recipient in the records of processing.
  await callApi(served.server, 'consent.set', { purpose: 'usage-statistics', given: true });
  const record = await callApi<{ json: { recipients: { name: string; role: string }[] } }>(
    served.server,
    'privacy.record',
    {},
  );
  expect(record.json.recipients).toContainEqual(
    expect.objectContaining({ name: 'stats.example.org', role: expect.stringContaining('usage-statistics receiver') }),
  );
  await callApi(served.server, 'consent.set', { purpose: 'usage-statistics', given: false });

  await section.getByRole('button', { name: 'Remove address' }).click();
  await expect(section.getByText('No address is set, so nothing would be sent anywhere.')).toBeVisible();
});

test('"Export my data" writes a ZIP with the manifest, the consent ledger and the audit trail', async ({ page }) => {
  await openPrivacy(page, served.server.url);
  const section = page.getByRole('region', { name: 'Export my data' });
  const field = section.getByLabel('Save the export as');
  // A sensible default is offered: an absolute .zip path.
  await expect(field).toHaveValue(/^\/.*cairn-export-.*\.zip$/);
  const out = join(dir, 'my-export.zip');
  await field.fill('relative.zip');
  await section.getByRole('button', { name: 'Export my data', exact: true }).click();
  await expect(section.getByRole('alert')).toContainText('full path');
  await field.fill(out);
  await section.getByRole('button', { name: 'Export my data', exact: true }).click();
  await expect(section.getByText('The export is ready.')).toBeVisible();
  await expect(section.getByText(out, { exact: true })).toBeVisible();
  expect(existsSync(out)).toBe(true);

  const listing = spawnSync(
    'python3',
    [
      '-c',
      'import sys, zipfile, json\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps(z.namelist()))\nprint(z.read("consent-ledger.json").decode())',
      out,
    ],
    { encoding: 'utf8' },
  );
  expect(listing.status, listing.stderr).toBe(0);
  const [namesLine, ...ledgerLines] = listing.stdout.split('\n');
  const names = JSON.parse(namesLine ?? '[]') as string[];
  expect(names).toEqual(expect.arrayContaining(['manifest.json', 'consent-ledger.json', 'audit-trail.jsonl']));
  const ledger = JSON.parse(ledgerLines.join('\n')) as { purpose: string; given: boolean }[];
  expect(ledger).toEqual(
    expect.arrayContaining([expect.objectContaining({ purpose: 'usage-statistics', given: false })]),
  );
});

test('a file is erased from every recovery point and no point restores it', async ({ page }) => {
  const repoId = await repositoryId();
  const secret = join(source, 'medical-letter.txt');
  await openPrivacy(page, served.server.url, 'Erase files');
  const section = page.getByRole('region', { name: 'Erase a file or folder from all recovery points' });
  await section.getByLabel('File or folder to erase').fill(secret);
  await section.getByRole('button', { name: 'Preview the erasure' }).click();
  const preview = section.getByRole('region', { name: 'Erasure preview' });
  await expect(preview).toContainText('is in 2 recovery point(s)');
  await expect(preview.getByRole('checkbox', { name: /exclude it from future backups/ })).toBeChecked();
  await preview.getByRole('button', { name: 'Erase from every recovery point' }).click();
  await expect(section.getByRole('heading', { name: 'Erased' })).toBeVisible();
  await expect(section.getByText(/erase.*\.json$|receipt/i).first()).toBeVisible();
  // The file is still in the folder First run chose to back up: now that folder excludes it.
  await expect(section.getByText('still exists on this computer.')).toBeVisible();
  await expect(section.getByText(/It is now excluded from the backups of/)).toBeVisible();
  const sources = await callApi<{ excludes: string[] }[]>(served.server, 'sources.list', { repositoryId: repoId });
  expect(sources[0]?.excludes).toContain(secret);
  // The one copy of the receipt that names the path goes where the user says.
  const saved = join(dir, 'erased-path-receipt.json');
  await section.getByLabel('Save the receipt, with the path named, to').fill(saved);
  await section.getByRole('button', { name: 'Save the receipt' }).click();
  await expect(section.getByText('The receipt naming the path was saved to')).toBeVisible();
  expect(JSON.parse(await readFile(saved, 'utf8')).scope).toMatchObject({ path: secret });

  const points = await callApi<{ id: string }[]>(served.server, 'snapshots.list', { repositoryId: repoId });
  expect(points).toHaveLength(2);
  for (const point of points) {
    const entries = await callApi<{ name: string }[]>(served.server, 'snapshots.browse', {
      repositoryId: repoId,
      snapshotId: point.id,
      path: source,
    });
    expect(entries.map((e) => e.name)).toContain('keep.txt');
    expect(entries.map((e) => e.name)).not.toContain('medical-letter.txt');
  }
  // The command line, reading the repository itself, cannot restore it from any point either.
  for (const point of points) {
    const target = join(dir, `restored-${point.id.slice(0, 8)}`);
    const run = cairn(['restore', '--repo', repoPath, point.id, '--target', target], {
      password: PASSWORD,
      dataDir: cliDataDir(repoPath),
    });
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(target, source, 'keep.txt'))).toBe(true);
    expect(existsSync(join(target, source, 'medical-letter.txt'))).toBe(false);
  }
});

test('a recovery point is frozen with a reason and unfrozen', async ({ page }) => {
  await page.goto(served.server.url);
  await nav(page, 'Recovery points').click();
  const timeline = page.getByRole('table');
  const firstRow = timeline.getByRole('row').nth(1);
  await firstRow.getByRole('button', { name: /^Freeze .*…$/ }).click();
  await firstRow.getByLabel('Reason').fill('accuracy contested');
  await firstRow.getByRole('button', { name: 'Freeze', exact: true }).click();
  await expect(firstRow.getByText('frozen', { exact: true })).toBeVisible();
  await expect(firstRow.getByRole('button', { name: /^Browse / })).toBeDisabled();
  const repoId = await repositoryId();
  const points = await callApi<{ frozen: boolean }[]>(served.server, 'snapshots.list', { repositoryId: repoId });
  expect(points.filter((p) => p.frozen)).toHaveLength(1);
  await firstRow.getByRole('button', { name: /^Unfreeze / }).click();
  await expect(firstRow.getByText('frozen', { exact: true })).toHaveCount(0);
  await expect(firstRow.getByRole('button', { name: /^Browse / })).toBeEnabled();
});

test('the Restore wizard says a frozen point is frozen, and where to unfreeze it', async ({ page }) => {
  const repoId = await repositoryId();
  const points = await callApi<{ id: string }[]>(served.server, 'snapshots.list', { repositoryId: repoId });
  const latest = points[0]?.id as string;
  // Frozen outside the screen (as by the command line): the wizard still offers it.
  await callApi(served.server, 'snapshots.freeze', { repositoryId: repoId, snapshotId: latest, reason: 'disputed' });
  try {
    await page.goto(served.server.url);
    await nav(page, 'Restore').click();
    const main = page.getByRole('main');
    await main.getByRole('radio', { name: /The latest version/ }).check();
    await main.getByRole('button', { name: 'Continue' }).click();
    await main.getByRole('radio', { name: 'Only the files and folders I select' }).check();
    await expect(main.getByRole('alert')).toContainText(
      /This recovery point is frozen \(since .+: disputed\): unfreeze it in Privacy to browse, restore or compare it\./,
    );
  } finally {
    await callApi(served.server, 'snapshots.unfreeze', { repositoryId: repoId, snapshotId: latest });
  }
});

test('an incident opened by hand shows the banner with its 72-hour clock until it is closed', async ({ page }) => {
  await openPrivacy(page, served.server.url, 'Requests and incidents');
  const banner = page.getByRole('region', { name: 'Open incidents' });
  await expect(banner).toHaveCount(0);
  const section = page.getByRole('region', { name: 'Incidents', exact: true });
  await expect(section.getByText('Nothing has been recorded.')).toBeVisible();
  await section.getByText('Record an incident by hand').click();
  await section.getByLabel('What happened').fill('Backup drive left on a train');
  await section.getByRole('button', { name: 'Open the incident' }).click();
  await expect(banner).toContainText('Backup drive left on a train');
  await expect(banner).toContainText(/7[012] h \d+ min left/);
  const incident = section.getByRole('listitem').filter({ hasText: 'Backup drive left on a train' });
  await expect(incident).toContainText(/\(7[012] h \d+ min left\)/);
  // The banner follows the user to other screens and leads back to the register.
  await nav(page, 'Dashboard').click();
  await banner.getByRole('button', { name: 'Open the incident register' }).click();
  await expect(page.getByRole('heading', { name: 'Privacy', level: 1 })).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Privacy sections' }).getByRole('button', { name: 'Requests and incidents' }),
  ).toHaveAttribute('aria-current', 'page');

  await incident.getByRole('button', { name: 'Close…' }).click();
  await incident.getByLabel('Measures taken (one per line)').fill('Drive was encrypted\nKey slots rotated');
  await incident.getByLabel('Notification').selectOption('not-required');
  await incident.getByRole('button', { name: 'Close the incident' }).click();
  await expect(banner).toHaveCount(0);
  await expect(incident.getByText('closed', { exact: true })).toBeVisible();
  const incidents = await callApi<{ status: string; measures: string[] }[]>(served.server, 'incidents.list', {});
  expect(incidents).toEqual([
    expect.objectContaining({ status: 'closed', measures: ['Drive was encrypted', 'Key slots rotated'] }),
  ]);
});

test('"Erase all my data" needs the typed words, writes the receipt and removes the repository', async ({ page }) => {
  await openPrivacy(page, served.server.url);
  const receipt = join(dir, 'erasure-receipt.json');
  await page.getByRole('button', { name: 'Erase all my data', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Erase all your data?' });
  await expect(dialog).toBeVisible();
  const confirm = dialog.getByRole('button', { name: 'Erase everything now' });
  await dialog.getByLabel('to confirm').fill('erase');
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(existsSync(repoPath)).toBe(true);

  await page.getByRole('button', { name: 'Erase all my data', exact: true }).click();
  await dialog.getByLabel('to confirm').fill('erase everything');
  await dialog.getByLabel('Write the receipt to').fill(receipt);
  await confirm.click();
  await expect(page.getByRole('heading', { name: 'Everything is erased' })).toBeVisible();
  await expect(page.getByText(receipt, { exact: true })).toBeVisible();

  expect(existsSync(repoPath)).toBe(false);
  const written = JSON.parse(await readFile(receipt, 'utf8')) as { kind: string; completed: boolean };
  expect(written).toMatchObject({ kind: 'erase-all', completed: true });
  const status = await callApi<{ repositories: unknown[] }>(served.server, 'app.status', {});
  expect(status.repositories).toEqual([]);
  // The app is back to its empty state.
  await nav(page, 'Recovery points').click();
  await expect(page.getByRole('heading', { name: 'No repository yet' })).toBeVisible();
});
