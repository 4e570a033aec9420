/** `cairn restore ID --target DIR`: brings files back from a recovery point. */
import path from 'node:path';
import { CairnError } from '../../app/errors.js';
import {
  OVERWRITE_POLICIES,
  type OverwritePolicy,
  planRestore,
  restoreProblems,
  runRestore,
} from '../../app/services/restore.js';
import { formatBytes, ProgressReporter } from '../output.js';
import { privacyRecords } from '../privacy-records.js';
import { type Command, EXIT, flag, list, str } from './types.js';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'restore files from a recovery point into a folder',
  usage:
    'cairn restore ID|latest --target DIR [--include PATH]... [--overwrite never|always|if-newer] [--keep-both] [--dry-run] [--owners]',
  options: [
    {
      name: 'target',
      short: 't',
      value: 'DIR',
      description: 'the folder to restore into ("/" for the original place)',
    },
    {
      name: 'include',
      short: 'i',
      value: 'PATH',
      multiple: true,
      description: 'restore only this file or folder of the recovery point',
    },
    {
      name: 'overwrite',
      value: 'WHEN',
      choices: OVERWRITE_POLICIES,
      description: 'replace files already in the target: never (default), always or if-newer',
    },
    { name: 'keep-both', description: 'keep a file already in the target and restore beside it under a new name' },
    { name: 'dry-run', description: 'only report what would be restored; write nothing' },
    {
      name: 'owners',
      description:
        'give files their recorded owner and group (the default when running as root; others may not change owners)',
    },
  ],
  async run(ctx, args, values) {
    const [ref] = args;
    const target = str(values, 'target');
    if (!ref) throw Object.assign(new Error('name a recovery point (an id or "latest")'), { usage: true });
    if (!target)
      throw Object.assign(new Error('--target DIR is required (the folder to restore into)'), { usage: true });
    const overwrite = (str(values, 'overwrite') ?? 'never') as OverwritePolicy;
    if (!OVERWRITE_POLICIES.includes(overwrite))
      throw new CairnError('invalid-argument', `--overwrite must be one of ${OVERWRITE_POLICIES.join(', ')}`);
    const repo = await ctx.openRepository();
    const progress = ProgressReporter.for(ctx.json, 'restoring');
    try {
      const plan = await planRestore(repo, {
        snapshot: ref,
        // A relative folder is taken from where the command runs; "/" is the original place.
        target: path.resolve(target),
        include: list(values, 'include'),
        overwrite,
        keepBoth: flag(values, 'keep-both'),
        ...(flag(values, 'owners') ? { owners: true } : {}),
      });
      const result = await runRestore(repo, plan, {
        records: { privacy: () => privacyRecords(ctx), warn: (w) => ctx.warn(w) },
        dryRun: flag(values, 'dry-run'),
        onProgress: (p) => progress.update({ files: p.filesDone, bytes: p.bytesDone, totalBytes: p.bytesTotal }),
      });
      progress.done();
      const problems = restoreProblems(result);
      for (const line of problems) ctx.warn(line);
      ctx.print(result, () => {
        const verb = result.dryRun ? 'would restore' : 'restored';
        const lines = [
          `${verb} ${result.filesRestored} files, ${result.dirsRestored} folders, ${result.symlinksRestored} symlinks (${formatBytes(result.bytesRestored)}) from ${result.snapshotId.slice(0, 8)} into ${result.target}`,
        ];
        const skipped = result.conflicts.filter((c) => c.action === 'skip');
        if (skipped.length > 0)
          lines.push(`${skipped.length} existing file(s) kept as they are (use --overwrite or --keep-both)`);
        if (problems.length > 0) {
          lines.push(
            `restore incomplete: ${result.errors.length} error(s), ${result.refused.length} refused entr(ies)`,
          );
        }
        return lines.join('\n');
      });
      return problems.length > 0 ? EXIT.error : EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};
