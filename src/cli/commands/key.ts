/**
 * `cairn key list|add|passwd|remove`: manages the key slots (passwords) of a repository through
 * the shared use cases (src/app/services/keys.ts), which audit every change. This parses and prints.
 */
import { CairnError } from '../../app/errors.js';
import { addKey, changePassword, type KeyChangeDeps, listKeys, removeKey } from '../../app/services/keys.js';
import { table } from '../output.js';
import { readPassword } from '../password.js';
import { type Command, EXIT, str } from './types.js';

const ACTIONS = ['list', 'add', 'passwd', 'remove'];

export const keyCommand: Command = {
  name: 'key',
  summary: 'manage passwords (key slots): list, add, passwd, remove',
  usage:
    'cairn key list | key add [--label L] [--new-password-file F] | key passwd [--new-password-file F] | key remove ID',
  options: [
    { name: 'label', value: 'L', description: 'a name for the new key slot', subcommands: ['add'] },
    {
      name: 'new-password-file',
      value: 'FILE',
      description: 'read the new password from FILE (or CAIRN_NEW_PASSWORD; else a prompt)',
      subcommands: ['add', 'passwd'],
    },
  ],
  subcommands: ACTIONS,
  async run(ctx, args, values) {
    const [action, id] = args;
    // Bad input is refused before the password is asked for and the repository opened.
    if (!action || !ACTIONS.includes(action)) {
      throw new CairnError('invalid-argument', `unknown key action "${action ?? ''}": use list, add, passwd or remove`);
    }
    if (action === 'remove' && !id)
      throw Object.assign(new Error('name the key slot to remove (see "cairn key list")'), { usage: true });
    const newPassword = () =>
      readPassword(
        { env: 'CAIRN_NEW_PASSWORD', file: str(values, 'new-password-file'), fileOption: '--new-password-file' },
        'New password: ',
        true,
      );
    const repo = await ctx.openRepository();
    const deps: KeyChangeDeps = { records: ctx.records() };
    try {
      switch (action) {
        case 'list': {
          const slots = await listKeys(repo);
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
          const slot = await addKey(repo, await newPassword(), str(values, 'label') ?? 'password', deps);
          ctx.print({ id: slot.id }, () => `added key slot ${slot.id.slice(0, 8)}`);
          return EXIT.ok;
        }
        case 'passwd': {
          const { slot, replaced } = await changePassword(repo, await newPassword(), deps);
          ctx.print({ id: slot.id, replaced }, () =>
            replaced
              ? `password changed (new key slot ${slot.id.slice(0, 8)}); no data was re-encrypted`
              : `password set (new key slot ${slot.id.slice(0, 8)}); the recovery key that unlocked the repository stays valid`,
          );
          return EXIT.ok;
        }
        default: {
          const removed = await removeKey(repo, id ?? '', deps);
          ctx.print({ removed }, () => `removed key slot ${removed.slice(0, 8)}`);
          return EXIT.ok;
        }
      }
    } finally {
      await repo.close();
    }
  },
};
