/** `cairn help [COMMAND]`: the list of commands, or one command's usage and every option it takes. */
import { COMMANDS } from '../command-list.js';
import { commandHelp, programHelp } from '../help.js';
import { type Command, EXIT } from './types.js';

export const helpCommand: Command = {
  name: 'help',
  summary: "show the commands, or a command's options: cairn help COMMAND (as cairn COMMAND --help)",
  usage: 'cairn help [COMMAND]',
  options: [],
  async run(_ctx, args) {
    const [name, extra] = args;
    if (extra !== undefined) throw Object.assign(new Error(`unexpected argument "${extra}"`), { usage: true });
    if (name === undefined) {
      process.stdout.write(programHelp());
      return EXIT.ok;
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) throw Object.assign(new Error(`unknown command "${name}"`), { usage: true });
    process.stdout.write(commandHelp(await entry.load()));
    return EXIT.ok;
  },
};
