/** `cairn ls ID [PATH]`: lists the files of a recovery point. */
import { listFiles } from '../../app/services/recovery-points.js';
import { formatBytes } from '../output.js';
import { type Command, EXIT, flag } from './types.js';

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list files in a recovery point',
  usage: 'cairn ls ID|latest [PATH] [--long] [--no-recursive]',
  options: [
    { name: 'long', short: 'l', description: 'show type, mode, size and modification time of each entry' },
    { name: 'no-recursive', description: 'list only the entries directly in PATH' },
  ],
  async run(ctx, args, values) {
    const [ref, path = '/'] = args;
    if (!ref) throw Object.assign(new Error('name a recovery point (an id or "latest")'), { usage: true });
    const repo = await ctx.openRepository();
    try {
      const listed = await listFiles(repo, ref, path, { recursive: !flag(values, 'no-recursive') });
      const { snapshot } = listed;
      const entries = listed.entries.map((e) => ({
        path: e.path,
        type: e.node.type,
        mode: e.node.mode,
        mtime: new Date(e.node.mtime).toISOString(),
        ...(e.node.type === 'file' ? { size: e.node.size ?? 0 } : {}),
        ...(e.node.type === 'symlink' ? { target: e.node.target } : {}),
      }));
      ctx.print({ snapshot: snapshot.id, entries }, () =>
        entries
          .map((e) =>
            flag(values, 'long')
              ? `${e.type.padEnd(7)} ${(e.mode & 0o7777).toString(8).padStart(4, '0')} ${(e.size !== undefined ? formatBytes(e.size) : '').padStart(10)}  ${e.mtime.slice(0, 19).replace('T', ' ')}  ${e.path}${e.target !== undefined ? ` -> ${e.target}` : ''}`
              : e.path,
          )
          .join('\n'),
      );
      return EXIT.ok;
    } finally {
      await repo.close();
    }
  },
};
