/** `cairn key list|add|passwd|remove`: manages the key slots (passwords) of a repository. */
import { CairnError } from '../../engine/errors.js';
import { withLock } from '../../engine/repo/lock.js';
import { table } from '../output.js';
import { readPassword } from '../password.js';
import { auditCli } from '../privacy-records.js';
import { type Command, EXIT, str } from './types.js';

export const keyCommand: Command = {
  name: 'key',
  summary: 'manage passwords (key slots): list, add, passwd, remove',
  usage:
    'cairn key list | key add [--label L] [--new-password-file F] | key passwd [--new-password-file F] | key remove ID',
  options: { label: { type: 'string' }, 'new-password-file': { type: 'string' } },
  async run(ctx, args, values) {
    const [action, id] = args;
    const newPassword = () =>
      readPassword({ env: 'CAIRN_NEW_PASSWORD', file: str(values, 'new-password-file') }, 'New password: ', true);
    const repo = await ctx.openRepository();
    try {
      switch (action) {
        case 'list': {
          const slots = await repo.listKeySlots();
          ctx.print(slots, () =>
            table(
              slots.map((s) => [
                `${s.current ? '*' : ' '}${s.id.slice(0, 8)}`,
                s.label,
                s.created.replace('T', ' ').slice(0, 19),
                s.kdf,
              ]),
              [' ID', 'Label', 'Created (UTC)', 'Key derivation'],
            ),
          );
          return EXIT.ok;
        }
        case 'add': {
          const slot = await repo.addKeySlot(await newPassword(), str(values, 'label') ?? 'password');
          auditCli(ctx, 'keys.added', {
            repositoryId: repo.config.id,
            keySlot: slot,
            label: str(values, 'label') ?? 'password',
          });
          ctx.print({ id: slot }, () => `added key slot ${slot.slice(0, 8)}`);
          return EXIT.ok;
        }
        case 'passwd': {
          const slot = await withLock(repo, 'key passwd', true, async () => repo.changePassword(await newPassword()));
          auditCli(ctx, 'keys.password-changed', {
            repositoryId: repo.config.id,
            keySlot: slot,
            removed: repo.keySlotId,
          });
          ctx.print(
            { id: slot },
            () => `password changed (new key slot ${slot.slice(0, 8)}); no data was re-encrypted`,
          );
          return EXIT.ok;
        }
        case 'remove': {
          if (!id)
            throw Object.assign(new Error('name the key slot to remove (see "cairn key list")'), { usage: true });
          await withLock(repo, 'key remove', true, () => repo.removeKeySlot(id));
          auditCli(ctx, 'keys.removed', { repositoryId: repo.config.id, keySlot: id });
          ctx.print({ removed: id }, () => `removed key slot ${id}`);
          return EXIT.ok;
        }
        default:
          throw new CairnError(
            'invalid-argument',
            `unknown key action "${action ?? ''}": use list, add, passwd or remove`,
          );
      }
    } finally {
      await repo.close();
    }
  },
};
