/**
 * `cairn pause` and `cairn resume`: hold scheduled backups back (for a time, until a time, or until
 * resumed) or let them run again, in the catalog of the app data folder (--data-dir,
 * CAIRN_DATA_DIR or the platform's) — the one pause the app's tray and Dashboard show, set by the
 * app's own rules (src/app/host/pause.ts). The catalog is opened as a guest, so this works beside
 * a running app or `cairn serve`, which pick the change up within 30 seconds. Both print every
 * folder and until when its scheduled backups wait.
 */
import path from 'node:path';
import { Catalog, type SourceRecord } from '../../app/catalog/catalog.js';
import { CairnError } from '../../app/errors.js';
import { pauseSources, pauseSummary, sourcePause } from '../../app/host/pause.js';
import { PAUSE_UNTIL_RESUMED } from '../../contract/pause.js';
import type { CliContext } from '../context.js';
import { table } from '../output.js';
import { formatLocal, pauseForEnd, pauseUntilEnd } from '../pause-time.js';
import { type Command, EXIT, flag, list, type OptionDef, type OptionValues, str } from './types.js';

const usageError = (message: string) => Object.assign(new Error(message), { usage: true });

const FOLDER_OPTION: OptionDef = {
  name: 'folder',
  value: 'PATH',
  multiple: true,
  description: 'only the scheduled backups of this folder (with --repo: of that repository; default: every folder)',
};

/** Which sources --repo (an id or a location) and --folder name; neither: every source. */
function chosen(
  ctx: CliContext,
  catalog: Catalog,
  values: OptionValues,
): { repositoryId: string | undefined; sourceIds: number[] | undefined } {
  const repo = ctx.options.repo;
  let repositoryId: string | undefined;
  if (repo !== undefined) {
    const record =
      catalog.getRepository(repo) ??
      catalog.findRepositoryByLocation(repo) ??
      catalog.findRepositoryByLocation(path.resolve(repo));
    if (!record) {
      const known = catalog.listRepositories().map((r) => `"${r.label}" (${r.id}, ${r.location})`);
      throw new CairnError(
        'not-found',
        `the app has no repository "${repo}"; ${known.length > 0 ? `it has ${known.join(', ')}` : 'it has none yet'}`,
      );
    }
    repositoryId = record.id;
  }
  const folders = list(values, 'folder');
  if (folders.length === 0) return { repositoryId, sourceIds: undefined };
  const sources = catalog.listSources(repositoryId);
  const sourceIds = folders.map((folder) => {
    const wanted = path.resolve(folder);
    const found = sources.find((s) => s.path === wanted);
    if (!found) {
      const where = repositoryId ? ' to that repository' : '';
      const known = sources.map((s) => s.path).join(', ') || 'none';
      throw new CairnError('not-found', `the app does not back up ${wanted}${where} (its folders: ${known})`);
    }
    return found.id;
  });
  return { repositoryId, sourceIds };
}

/** When a source's scheduled backups run, in words. */
function stateOf(pause: string | null): string {
  if (pause === null) return 'run as scheduled';
  return pause === PAUSE_UNTIL_RESUMED ? 'paused until you resume' : `paused until ${formatLocal(pause)}`;
}

const plural = (n: number) => `${n} folder${n === 1 ? '' : 's'}`;

/** Prints what changed, then every folder with its pause (JSON: the same, and the app's pause). */
function report(ctx: CliContext, catalog: Catalog, changed: SourceRecord[], headline: string): void {
  const now = new Date();
  const sources = catalog.listSources();
  const labels = new Map(catalog.listRepositories().map((r) => [r.id, r.label]));
  const folders = sources.map((s) => {
    const pause = sourcePause(s, now);
    return {
      id: s.id,
      repositoryId: s.repositoryId,
      repository: labels.get(s.repositoryId) ?? s.repositoryId,
      path: s.path,
      pausedUntil: pause === PAUSE_UNTIL_RESUMED ? null : pause,
      pausedUntilResumed: pause === PAUSE_UNTIL_RESUMED,
      state: stateOf(pause),
    };
  });
  const result = { changed: changed.map((s) => s.id), pause: pauseSummary(sources, now), folders };
  ctx.print(result, () =>
    [
      headline,
      '',
      table(
        folders.map((f) => [f.path, f.repository, f.state]),
        ['Folder', 'Repository', 'Scheduled backups'],
      ),
      '',
      'A running Cairn app or "cairn serve" on this data folder follows within 30 seconds.',
      '"Back up now" and "cairn backup" are never held back.',
    ].join('\n'),
  );
}

/** Runs `fn` over the app's catalog, opened as a guest beside whichever process owns it. */
function withCatalog<T>(ctx: CliContext, fn: (catalog: Catalog) => T): T {
  const catalog = Catalog.open(ctx.appDataDir(), { guest: true });
  try {
    return fn(catalog);
  } finally {
    catalog.close();
  }
}

/** The `until` for `sources.pause` from exactly one of --for, --until and --until-resumed. */
function requestedUntil(values: OptionValues, now: Date): string {
  const duration = str(values, 'for');
  const until = str(values, 'until');
  const untilResumed = flag(values, 'until-resumed');
  const given = [duration !== undefined, until !== undefined, untilResumed].filter(Boolean).length;
  if (given === 0) throw usageError('say how long: --for DURATION, --until TIME or --until-resumed');
  if (given > 1) throw usageError('give only one of --for, --until and --until-resumed');
  if (duration !== undefined) return pauseForEnd(duration, now);
  if (until !== undefined) return pauseUntilEnd(until, now);
  return PAUSE_UNTIL_RESUMED;
}

export const pauseCommand: Command = {
  name: 'pause',
  summary: 'pause scheduled backups for a time, until a time or until resumed (the app follows)',
  usage:
    'cairn pause --for 1h|4h|1d|1w|<N>m|<N>h|<N>d | --until TIME | --until-resumed [--repo ID|LOCATION] [--folder PATH]...\n' +
    '  TIME: 14:30 (the next time the clock shows it), tomorrow (08:00), "2026-12-01 08:00" or ISO 8601',
  options: [
    { name: 'for', value: 'DURATION', description: 'pause for this long: 1h, 4h, 1d, 1w, or <N>m, <N>h, <N>d' },
    {
      name: 'until',
      value: 'TIME',
      description: 'pause until this time: 14:30, tomorrow, "2026-12-01 08:00" or ISO 8601',
    },
    { name: 'until-resumed', description: 'pause until "cairn resume"' },
    FOLDER_OPTION,
  ],
  async run(ctx, args, values) {
    if (args.length > 0) throw usageError(`unexpected argument "${args[0]}"`);
    const now = new Date();
    const until = requestedUntil(values, now);
    return withCatalog(ctx, (catalog) => {
      const paused = pauseSources(catalog, { until, ...chosen(ctx, catalog, values) }, now);
      const end =
        until === PAUSE_UNTIL_RESUMED ? 'until you resume them ("cairn resume")' : `until ${formatLocal(until)}`;
      report(ctx, catalog, paused, `Paused the scheduled backups of ${plural(paused.length)} ${end}.`);
      return EXIT.ok;
    });
  },
};

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'let paused scheduled backups run again (a slot missed meanwhile runs once)',
  usage: 'cairn resume [--repo ID|LOCATION] [--folder PATH]...',
  options: [FOLDER_OPTION],
  async run(ctx, args, values) {
    if (args.length > 0) throw usageError(`unexpected argument "${args[0]}"`);
    return withCatalog(ctx, (catalog) => {
      const resumed = pauseSources(catalog, { until: null, ...chosen(ctx, catalog, values) });
      report(ctx, catalog, resumed, `Resumed the scheduled backups of ${plural(resumed.length)}.`);
      return EXIT.ok;
    });
  },
};
