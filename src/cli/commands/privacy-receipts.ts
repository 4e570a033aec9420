/**
 * `cairn privacy receipts`: the receipts of every erasure request kept in the app data folder.
 * They name an erased path by its keyed hash only (shown shortened); the copy naming the path is
 * the one saved with `cairn privacy erase --path P --receipt FILE`.
 */
import { listReceipts } from '../../app/services/erase.js';
import { table } from '../output.js';
import { type Command, EXIT } from './types.js';

export const privacyReceiptsCommand: Command = {
  name: 'receipts',
  summary: 'list the receipts of erasure requests',
  usage: 'cairn privacy receipts',
  options: [],
  async run(ctx, args) {
    if (args.length > 0) throw Object.assign(new Error(`unexpected argument "${args[0]}"`), { usage: true });
    const receipts = listReceipts(ctx.appDataDir());
    ctx.print(receipts, () =>
      receipts.length === 0
        ? 'no erasure receipts'
        : table(
            receipts.map((r) => {
              const scope =
                typeof r.scope === 'string'
                  ? r.scope
                  : typeof r.scope.pathHash === 'string'
                    ? `path (hash ${r.scope.pathHash.slice(0, 12)}…)`
                    : 'path';
              const points = Array.isArray(r.recoveryPointsRewritten) ? r.recoveryPointsRewritten.length : 0;
              return [
                r.request,
                r.kind,
                r.requestedAt.replace('T', ' ').slice(0, 19),
                scope,
                String(points),
                String(r.physicallyDeletedAt ?? '')
                  .replace('T', ' ')
                  .slice(0, 19),
              ];
            }),
            ['Request', 'Kind', 'Requested (UTC)', 'Scope', 'Points rewritten', 'Physically deleted (UTC)'],
          ),
    );
    return EXIT.ok;
  },
};
