/**
 * `cairn repair index|snapshots`: makes a damaged repository whole again
 * (docs/repository-format.md §13.3 and §13.4).
 * - `index [--read-data] [--dry-run]`: rebuilds the index from the packs' own headers.
 * - `snapshots [--dry-run]`: writes a copy of each recovery point that references missing data,
 *   without the lost files; the originals stay until they are forgotten.
 * A repair that changed something is recorded in the audit trail (`repair.index`,
 * `repair.snapshots`: counts and object ids, no file names).
 */

import {
  type RepairIndexResult,
  type RepairSnapshotsResult,
  repairIndexWithRecords,
  repairSnapshotsWithRecords,
} from '../../app/services/repair.js';
import type { CliContext } from '../context.js';
import { foreignOption, mergeSubcommandOptions } from '../option-table.js';
import { formatBytes, ProgressReporter } from '../output.js';
import { cliRecords } from '../privacy-records.js';
import type { PrivacySubcommand } from './privacy-subcommand.js';
import { type Command, EXIT, flag, type OptionDef } from './types.js';

/** A repair subcommand has the shape of a privacy one: summary, usage, options, run. */
type RepairSubcommand = PrivacySubcommand;

/** How many ids a `cairn forget …` suggestion names before it says "…". */
const MAX_IDS = 10;

function usageError(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

const short = (id: string) => id.slice(0, 8);
const when = (time: string) => time.replace('T', ' ').slice(0, 19);

function forgetLine(ids: string[]): string {
  const named = ids.slice(0, MAX_IDS).map(short).join(' ');
  return `cairn forget ${named}${ids.length > MAX_IDS ? ' …' : ''}`;
}

/** The repository as the command line opens it. */
type OpenedRepository = Awaited<ReturnType<CliContext['openRepository']>>;

/** Opens the repository, runs `fn`, and closes it however `fn` ends. */
async function withRepository(ctx: CliContext, fn: (repo: OpenedRepository) => Promise<number>): Promise<number> {
  const repo = await ctx.openRepository();
  try {
    return await fn(repo);
  } finally {
    await repo.close();
  }
}

function describeIndexRepair(r: RepairIndexResult): string {
  const is = r.dryRun ? 'would be' : 'is';
  const are = r.dryRun ? 'would be' : 'are';
  const lines = [
    `index files: ${r.indexFilesRead} read, ${r.indexFilesDamaged.length} damaged, ${r.indexFilesSuperseded} superseded already`,
    ...r.indexFilesDamaged.map((f) => `  index file ${short(f.id)} cannot be read (${f.reason}): it ${is} replaced`),
    `packs: ${r.packsScanned} scanned${r.readData ? ' (read whole)' : ''}, ${r.packsMissing.length} missing, ${r.packsUnreadable.length} with an unreadable header, ${r.packsDamaged.length} damaged, ${r.packsNewlyIndexed.length} not indexed before`,
    ...r.packsMissing.map((id) => `  pack ${short(id)} is missing: its entries ${are} dropped`),
    ...r.packsUnreadable.map((p) =>
      p.blobsKept > 0
        ? `  pack ${short(p.id)}: ${p.reason}; the ${p.blobsKept} blob(s) the old index gave it stay indexed (each is still checked whenever it is read; "cairn repair index --read-data" checks them now)`
        : `  pack ${short(p.id)}: ${p.reason}; its data cannot be indexed and the pack stays stored as it is (note: "cairn prune" removes packs no index lists)`,
    ),
    ...r.packsDamaged.map(
      (p) =>
        `  pack ${short(p.id)}: ${p.reason}; ${p.blobsDamaged} damaged blob(s) ${are} dropped, ${p.blobsCopied} intact one(s) ${are} copied to a new pack`,
    ),
    `blobs indexed: ${r.blobsBefore} before, ${r.blobsAfter} after (${r.blobsDropped} dropped, ${r.blobsAdded} added)`,
  ];
  if (r.blobsDropped > 0) {
    lines.push(
      `${r.dryRun ? 'would drop' : 'dropped'}: ${r.droppedDataBlobs} data blob(s) (${formatBytes(r.droppedDataBytes)}) and ${r.droppedTreeBlobs} folder listing(s); the recovery points that used them lack that data. The next backup stores again whatever of it is still on this computer; "cairn repair snapshots" writes copies of the recovery points without what is lost`,
    );
  }
  if (!r.changed) lines.push('the index matches the packs: nothing to repair');
  else if (r.dryRun) lines.push('dry run: nothing was changed');
  else {
    if (r.newIndexFile)
      lines.push(
        `wrote index file ${short(r.newIndexFile)}${r.packsWritten.length > 0 ? ` and ${r.packsWritten.length} pack(s) of copied blobs` : ''}, removed ${r.indexFilesRemoved} old index file(s)`,
      );
    if (r.packsRemoved.length > 0) lines.push(`removed ${r.packsRemoved.length} damaged pack(s)`);
  }
  return lines.join('\n');
}

function describeSnapshotRepair(r: RepairSnapshotsResult): string {
  const lines: string[] = [];
  if (r.repaired.length > 0) {
    lines.push(`${r.dryRun ? 'would repair' : 'repaired'} ${r.repaired.length} recovery point(s):`);
    for (const p of r.repaired) {
      const copy = p.repaired ? ` → ${short(p.repaired)}` : '';
      const examples = p.examples.length > 0 ? ` (e.g. ${p.examples.join(', ')})` : '';
      lines.push(
        `  ${short(p.original)}${copy}  ${when(p.time)}  ${p.removedFiles} file(s) removed, ${p.emptiedFolders} folder(s) emptied${examples}`,
      );
    }
    if (!r.dryRun) {
      lines.push(
        `the originals are kept; once you have looked at the copies, remove them with: ${forgetLine(r.repaired.map((p) => p.original))}`,
      );
    }
  }
  for (const a of r.alreadyRepaired) {
    lines.push(
      `recovery point ${short(a.original)} was repaired before (copy ${short(a.repaired)}); remove the original with: cairn forget ${short(a.original)}`,
    );
  }
  for (const p of r.rootLost) {
    lines.push(
      `recovery point ${short(p.id)} (${when(p.time)}) cannot be repaired: its root folder is lost (${p.reason}); remove it with: cairn forget ${short(p.id)}`,
    );
  }
  for (const p of r.unreadable) {
    lines.push(
      `recovery point ${short(p.id)} cannot be read (${p.reason}); remove it with: cairn forget ${short(p.id)}`,
    );
  }
  if (lines.length === 0)
    lines.push(`nothing to repair: none of the ${r.snapshots} recovery point(s) references missing data`);
  return lines.join('\n');
}

const indexSubcommand: RepairSubcommand = {
  summary: 'rebuild the index from the packs (drops what is missing; --read-data also drops damaged blobs)',
  usage: 'cairn repair index [--read-data] [--dry-run]',
  options: [
    { name: 'read-data', description: 'also read every pack and drop the blobs that are damaged' },
    { name: 'dry-run', description: 'only report what would be repaired; change nothing' },
  ],
  async run(ctx, args, values) {
    if (args.length > 0) throw usageError(`unexpected argument "${args[0]}"`);
    return withRepository(ctx, async (repo) => {
      const progress = ProgressReporter.for(ctx.json, 'reading packs');
      const r = await repairIndexWithRecords(
        repo,
        {
          readData: flag(values, 'read-data'),
          dryRun: flag(values, 'dry-run'),
          onProgress: (p) => {
            if (p.phase === 'packs') progress.update({ files: p.done, bytes: 0 });
          },
        },
        cliRecords(ctx),
      );
      progress.done();
      ctx.print(r, () => describeIndexRepair(r));
      return EXIT.ok;
    });
  },
};

const snapshotsSubcommand: RepairSubcommand = {
  summary: 'write copies of recovery points that reference missing data, without the lost files',
  usage: 'cairn repair snapshots [--dry-run]',
  options: [{ name: 'dry-run', description: 'only report what would be repaired; change nothing' }],
  async run(ctx, args, values) {
    if (args.length > 0) throw usageError(`unexpected argument "${args[0]}"`);
    return withRepository(ctx, async (repo) => {
      const r = await repairSnapshotsWithRecords(repo, { dryRun: flag(values, 'dry-run') }, cliRecords(ctx));
      ctx.print(r, () => describeSnapshotRepair(r));
      return EXIT.ok;
    });
  },
};

/** `cairn repair NAME`: one line per subcommand. */
const REPAIR_SUBCOMMANDS: Record<string, RepairSubcommand> = {
  index: indexSubcommand,
  snapshots: snapshotsSubcommand,
};

export const repairCommand: Command = {
  name: 'repair',
  summary: 'repair a damaged repository: index (rebuild it from the packs), snapshots (drop lost files)',
  get usage() {
    return Object.values(REPAIR_SUBCOMMANDS)
      .map((s) => s.usage)
      .join('\n       ');
  },
  get options(): readonly OptionDef[] {
    return mergeSubcommandOptions(REPAIR_SUBCOMMANDS);
  },
  subcommands: Object.keys(REPAIR_SUBCOMMANDS),
  async run(ctx, args, values) {
    const [name, ...rest] = args;
    const sub = name ? REPAIR_SUBCOMMANDS[name] : undefined;
    if (!sub) {
      throw usageError(
        `${name ? `unknown subcommand "${name}"` : 'name what to repair'}: ${Object.keys(REPAIR_SUBCOMMANDS).join(', ')}`,
      );
    }
    const foreign = foreignOption(values, repairCommand.options, sub);
    if (foreign !== undefined) {
      throw usageError(`--${foreign} is not an option of "cairn repair ${name}"\nusage: ${sub.usage}`);
    }
    return sub.run(ctx, rest, values);
  },
};
