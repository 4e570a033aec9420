/**
 * `cairn privacy SUBCOMMAND`: the privacy subcommands, each in its own file, dispatched by name.
 * The options of every subcommand are accepted by the parser; each subcommand checks its own.
 */
import { privacyEraseCommand } from './privacy-erase.js';
import { privacyFreezeCommand, privacyUnfreezeCommand } from './privacy-freeze.js';
import { privacyReceiptsCommand } from './privacy-receipts.js';
import type { Command, OptionSpecs } from './types.js';

const SUBCOMMANDS: Command[] = [
  privacyEraseCommand,
  privacyFreezeCommand,
  privacyUnfreezeCommand,
  privacyReceiptsCommand,
];

export const privacyCommand: Command = {
  name: 'privacy',
  summary: 'erase a path or everything, freeze recovery points, list erasure receipts (GDPR Art. 17, 18)',
  usage: SUBCOMMANDS.map((s) => s.usage).join('\n       '),
  options: Object.assign({}, ...SUBCOMMANDS.map((s) => s.options)) as OptionSpecs,
  async run(ctx, args, values) {
    const [name, ...rest] = args;
    const sub = SUBCOMMANDS.find((s) => s.name === name);
    if (!sub) {
      const known = SUBCOMMANDS.map((s) => s.name).join(', ');
      throw Object.assign(
        new Error(name ? `unknown subcommand "${name}" (one of: ${known})` : `name a subcommand: ${known}`),
        {
          usage: true,
        },
      );
    }
    const foreign = Object.keys(values).filter(
      (key) => values[key] !== undefined && key in privacyCommand.options && !(key in sub.options),
    );
    if (foreign.length > 0) {
      throw Object.assign(
        new Error(`--${foreign[0]} is not an option of "cairn privacy ${sub.name}"\nusage: ${sub.usage}`),
        {
          usage: true,
        },
      );
    }
    return sub.run(ctx, rest, values);
  },
};
