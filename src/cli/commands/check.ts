/**
 * `cairn check`: verifies the repository's structure, and with --read-data its content. When data
 * is lost it names the recovery points each problem affects, what the next backup stores again,
 * and which command repairs what. The text stays short however much is damaged (--json has all).
 */
import { CairnError } from '../../app/errors.js';
import { type CheckResult, checkRepository, type DataSubset, parseSubset } from '../../app/services/check.js';
import { formatBytes } from '../output.js';
import { privacyRecords } from '../privacy-records.js';
import { type Command, EXIT, flag, str } from './types.js';

/** Errors, affected recovery points and ids per line that the text shows before "… and N more". */
const MAX_ERRORS = 50;
const MAX_POINTS = 10;
const MAX_IDS = 5;

const short = (id: string) => id.slice(0, 8);

function idList(ids: string[]): string {
  return `${ids.slice(0, MAX_IDS).map(short).join(', ')}${ids.length > MAX_IDS ? ', …' : ''}`;
}

/** The errors, each problem that loses data followed once by the recovery points it affects. */
function errorLines(result: CheckResult): string[] {
  const lines: string[] = [];
  const named = new Set<string>();
  for (const e of result.errors.slice(0, MAX_ERRORS)) {
    lines.push(`error: ${e.object}: ${e.message}`);
    const affected = result.affectedBy[e.object];
    if (affected && !named.has(e.object)) {
      named.add(e.object);
      lines.push(`  affects ${affected.length} recovery point(s): ${idList(affected)}`);
    }
  }
  if (result.errors.length > MAX_ERRORS)
    lines.push(`… and ${result.errors.length - MAX_ERRORS} more error(s) (--json lists them all)`);
  return lines;
}

function lossLines(result: CheckResult): string[] {
  const lines: string[] = [];
  if (result.affected.length > 0) {
    lines.push(`${result.affected.length} recovery point(s) lack data:`);
    for (const a of result.affected.slice(0, MAX_POINTS)) {
      const what = a.rootLost
        ? 'the root folder is lost: nothing in it can be restored'
        : `${a.lostFiles} file(s) and ${a.lostFolders} folder(s) lost (e.g. ${a.examples.join(', ')})`;
      lines.push(
        `  ${short(a.id)}  ${a.time.replace('T', ' ').slice(0, 19)}  ${a.hostname}  ${a.paths.join(' ')}: ${what}`,
      );
    }
    if (result.affected.length > MAX_POINTS) lines.push(`  … and ${result.affected.length - MAX_POINTS} more`);
  }
  const h = result.healable;
  if (h.files > 0 || h.folders > 0) {
    const after = h.needsRepairIndex ? ' once "cairn repair index" has dropped the broken index entries' : '';
    if (h.files > 0)
      lines.push(
        `healable: ${h.files} lost file(s) (${formatBytes(h.bytes)}) of the newest recovery points are still on this computer with the same size (e.g. ${h.examples.join(', ')}): the next backup of those folders stores their data again${after}`,
      );
    if (h.folders > 0)
      lines.push(`healable: ${h.folders} lost folder(s) still exist here: the next backup lists them again`);
  }
  if (result.advice.length > 0) {
    lines.push('to repair, run in this order:');
    for (const a of result.advice) lines.push(`  ${a.command}: ${a.reason}`);
  }
  return lines;
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'verify the repository (structure; with --read-data all stored data)',
  usage: 'cairn check [--read-data | --read-data-subset n/t|x%]',
  options: [
    { name: 'read-data', description: 'also read and verify all stored data, not only the structure' },
    {
      name: 'read-data-subset',
      value: 'n/t|x%',
      description: 'read and verify a part of the stored data: the n-th of t parts, or x% chosen at random',
    },
  ],
  async run(ctx, _args, values) {
    const subsetText = str(values, 'read-data-subset');
    if (subsetText && flag(values, 'read-data'))
      throw new CairnError('invalid-argument', 'use either --read-data or --read-data-subset');
    const readData: DataSubset | undefined = flag(values, 'read-data')
      ? { kind: 'all' }
      : subsetText
        ? parseSubset(subsetText)
        : undefined;
    const repo = await ctx.openRepository();
    try {
      const { result, incidents } = await checkRepository(repo, readData, {
        repository: { id: repo.config.id, label: repo.location },
        source: 'cairn check',
        records: { privacy: () => privacyRecords(ctx), warn: (w) => ctx.warn(w) },
      });
      for (const i of incidents) ctx.warn(`incident ${i.id} recorded: ${i.title} (see "cairn incident list")`);
      const { packsVerified, ...summary } = result;
      ctx.print({ ...summary, packsVerified: packsVerified.length }, () =>
        [
          `${result.snapshots} recovery points, ${result.trees} folders, ${result.blobsReferenced} blobs referenced, ${result.packs} packs`,
          ...(readData ? [`read ${result.packsRead} packs (${formatBytes(result.bytesRead)})`] : []),
          ...result.notes.map((n) => `note: ${n}`),
          ...errorLines(result),
          ...lossLines(result),
          result.ok ? 'no errors were found' : `${result.errors.length} error(s) found: the repository is damaged`,
        ].join('\n'),
      );
      return result.ok ? EXIT.ok : EXIT.error;
    } finally {
      await repo.close();
    }
  },
};
