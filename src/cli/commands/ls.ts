/** `cairn ls ID [PATH]`: lists the files of a recovery point. */
import { walk } from '../../engine/browse/walk.js';
import { formatBytes } from '../output.js';
import { type Command, EXIT, flag } from './types.js';

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list files in a recovery point',
  usage: 'cairn ls ID|latest [PATH] [--long] [--no-recursive]',
  options: { long: { type: 'boolean', short: 'l' }, 'no-recursive': { type: 'boolean' } },
  async run(ctx, args, values) {
    const [ref, path = '/'] = args;
    if (!ref) throw Object.assign(new Error('name a recovery point (an id or "latest")'), { usage: true });
    const repo = await ctx.openRepository();
    try {
      await repo.loadIndex();
      const snapshot = await repo.findSnapshot(ref);
      ctx.frozen().assertNotFrozen(repo.config.id, snapshot.id, 'browse');
      const entries: { path: string; type: string; mode: number; mtime: string; size?: number; target?: string }[] = [];
      for await (const e of walk(repo, snapshot.tree, path, { recursive: !flag(values, 'no-recursive') })) {
        entries.push({
          path: e.path,
          type: e.node.type,
          mode: e.node.mode,
          mtime: new Date(e.node.mtime).toISOString(),
          ...(e.node.type === 'file' ? { size: e.node.size ?? 0 } : {}),
          ...(e.node.type === 'symlink' ? { target: e.node.target } : {}),
        });
      }
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
