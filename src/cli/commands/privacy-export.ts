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
import { CairnError } from '../../app/errors.js';
import { writeFileAtomic } from '../../app/privacy/files.js';
import { PROGRAM } from '../../app/runtime.js';
import { exportPrivacyData } from '../../app/services/privacy-export.js';
import {
  type CatalogView,
  EMPTY_CATALOG,
  type ExtraRepository,
  type PrivacyContext,
  processingRecord,
} from '../../app/services/privacy-inventory.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../output.js';
import type { PrivacySubcommand } from './privacy-subcommand.js';
import { EXIT, str } from './types.js';

/**
 * Runs `fn` over the privacy records, the catalog (when no other process owns it) and the --repo
 * repository (when given), which is included with its label and region as the app knows them.
 */
async function withPrivacyContext<T>(
  ctx: CliContext,
  fn: (privacy: PrivacyContext, extra: ExtraRepository[]) => Promise<T>,
): Promise<T> {
  const dataDir = ctx.appDataDir();
  const records = ctx.records();
  let catalog: Catalog | undefined;
  if (fs.existsSync(path.join(dataDir, CATALOG_FILE))) {
    try {
      catalog = Catalog.open(dataDir);
    } catch (err) {
      ctx.warn(`the app's catalog is not included (${(err as Error).message}); use "Export my data" in the app for it`);
    }
  }
  const hasRepo = Boolean(ctx.options.repo ?? process.env.CAIRN_REPOSITORY);
  try {
    const repo = hasRepo ? await ctx.openRepository() : undefined;
    try {
      const view: CatalogView = catalog ?? EMPTY_CATALOG;
      const extra: ExtraRepository[] = [];
      if (repo) {
        const known = records
          .privacy()
          .regions.locations()
          .find((l) => l.repositoryId === repo.config.id);
        const inCatalog = view.getRepository(repo.config.id);
        extra.push({
          repo,
          label: inCatalog?.label ?? repo.location,
          region: inCatalog?.region ?? known?.region ?? 'this-device',
        });
      }
      const privacy: PrivacyContext = {
        dataDir,
        appVersion: PROGRAM.replace(/^cairn\s+/, ''),
        records,
        catalog: view,
        // The CLI keeps no sessions: only the --repo repository is open.
        openRepository: () => undefined,
      };
      return await fn(privacy, extra);
    } finally {
      await repo?.close();
    }
  } finally {
    catalog?.close();
  }
}

export const exportSubcommand: PrivacySubcommand = {
  summary: 'write a ZIP of everything Cairn holds about you (with --repo: recovery points and file index too)',
  usage: 'cairn privacy export --out FILE.zip [--repo LOCATION]',
  options: [
    { name: 'out', short: 'o', value: 'FILE.zip', description: 'the ZIP file to write (it must not exist yet)' },
  ],
  async run(ctx, args, values) {
    if (args.length > 0) throw Object.assign(new Error(`unexpected argument "${args[0]}"`), { usage: true });
    const outText = str(values, 'out');
    if (!outText) throw Object.assign(new Error('--out FILE.zip is required'), { usage: true });
    const out = path.resolve(outText);
    const result = await withPrivacyContext(ctx, (privacy, extra) => exportPrivacyData(privacy, { out, extra }));
    ctx.print(result, () =>
      [
        `wrote ${result.path} (${formatBytes(result.bytes)}, ${result.files.length} files + manifest.json and SHA256SUMS)`,
        ...(result.skippedLocked.length > 0
          ? [
              `the recovery points of ${result.skippedLocked.length} repository(ies) of the app are not in it: give --repo and its password for each`,
            ]
          : []),
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
  options: [{ name: 'html', value: 'FILE', description: 'also write the record as an HTML page to FILE' }],
  async run(ctx, args, values) {
    if (args.length > 0) throw Object.assign(new Error(`unexpected argument "${args[0]}"`), { usage: true });
    const htmlOut = str(values, 'html');
    const record = await withPrivacyContext(ctx, (privacy, extra) => processingRecord(privacy, extra));
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
