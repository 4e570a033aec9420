/**
 * `cairn privacy export --out FILE.zip` and `cairn privacy record [--html FILE]`: the export of
 * everything the app holds (with --repo and its password, also that repository's recovery points
 * and file index) and the records of processing. They read the app's catalog when no other
 * process (the app, `cairn serve`) owns it; otherwise only the privacy records are included and a
 * warning says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CATALOG_FILE, Catalog } from '../../app/catalog/catalog.js';
import { resolveDataDir } from '../../app/host/data-dir.js';
import { type CatalogView, EMPTY_CATALOG, type ExtraRepository, PrivacyApp } from '../../app/host/privacy-handlers.js';
import { writeFileAtomic } from '../../app/privacy/files.js';
import { PROGRAM } from '../../engine/backup/archiver.js';
import { CairnError } from '../../engine/errors.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../output.js';
import type { PrivacySubcommand } from './privacy-subcommand.js';
import { EXIT, str } from './types.js';

/** Runs `fn` with a PrivacyApp over the catalog (when free) and the --repo repository (when given). */
async function withPrivacyApp<T>(
  ctx: CliContext,
  fn: (app: PrivacyApp, extra: ExtraRepository[]) => Promise<T>,
): Promise<T> {
  const dataDir = resolveDataDir(ctx.dataDir());
  let catalog: Catalog | undefined;
  if (fs.existsSync(path.join(dataDir, CATALOG_FILE))) {
    try {
      catalog = Catalog.open(dataDir);
    } catch (err) {
      ctx.warn(`the app's catalog is not included (${(err as Error).message}); use "Export my data" in the app for it`);
    }
  }
  const hasRepo = Boolean(ctx.options.repo ?? process.env.CAIRN_REPOSITORY);
  const repo = hasRepo ? await ctx.openRepository() : undefined;
  try {
    const view: CatalogView = catalog ?? EMPTY_CATALOG;
    const app = new PrivacyApp({
      dataDir,
      appVersion: PROGRAM.replace(/^cairn\s+/, ''),
      catalog: view,
      actor: 'cli',
      openRepository: () => undefined,
      incidentsChanged: () => {},
      backupConsentChanged: () => {},
    });
    const extra: ExtraRepository[] = [];
    if (repo) {
      const known = app.records.regions.locations().find((l) => l.repositoryId === repo.config.id);
      const inCatalog = view.getRepository(repo.config.id);
      extra.push({
        repo,
        label: inCatalog?.label ?? repo.location,
        region: inCatalog?.region ?? known?.region ?? 'this-device',
      });
    }
    return await fn(app, extra);
  } finally {
    await repo?.close();
    catalog?.close();
  }
}

export const exportSubcommand: PrivacySubcommand = {
  summary: 'write a ZIP of everything Cairn holds about you (with --repo: recovery points and file index too)',
  usage: 'cairn privacy export --out FILE.zip [--repo LOCATION]',
  options: { out: { type: 'string', short: 'o' } },
  async run(ctx, args, values) {
    if (args.length > 0) throw Object.assign(new Error(`unexpected argument "${args[0]}"`), { usage: true });
    const outText = str(values, 'out');
    if (!outText) throw Object.assign(new Error('--out FILE.zip is required'), { usage: true });
    const out = path.resolve(outText);
    const result = await withPrivacyApp(ctx, (app, extra) => app.exportWith(out, extra));
    ctx.print(result, () =>
      [
        `wrote ${result.path} (${formatBytes(result.bytes)}, ${result.files.length} files + manifest.json and SHA256SUMS)`,
        'Your files themselves are not in it: restore the latest recovery point to a folder for them',
        '(cairn restore latest --target DIR).',
      ].join('\n'),
    );
    return EXIT.ok;
  },
};

export const recordSubcommand: PrivacySubcommand = {
  summary: 'records of processing (GDPR Art. 30) from the configuration: JSON, or a printable HTML page',
  usage: 'cairn privacy record [--html FILE] [--json] [--repo LOCATION]',
  options: { html: { type: 'string' } },
  async run(ctx, args, values) {
    if (args.length > 0) throw Object.assign(new Error(`unexpected argument "${args[0]}"`), { usage: true });
    const htmlOut = str(values, 'html');
    const record = await withPrivacyApp(ctx, (app, extra) => app.processingRecord(extra));
    if (htmlOut) {
      const file = path.resolve(htmlOut);
      if (fs.existsSync(file)) throw new CairnError('invalid-argument', `${file} already exists: choose another name`);
      writeFileAtomic(file, record.html);
      if (!ctx.json && !ctx.options.quiet) process.stdout.write(`wrote ${file}\n`);
    }
    if (ctx.json || !htmlOut) process.stdout.write(`${JSON.stringify(record.json, null, 2)}\n`);
    return EXIT.ok;
  },
};
