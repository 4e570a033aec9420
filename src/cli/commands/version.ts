/** `cairn version` (also `cairn --version`): prints the program's name and version. */
import { PROGRAM } from '../../app/runtime.js';
import { type Command, EXIT } from './types.js';

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the version',
  usage: 'cairn version',
  options: [],
  async run(ctx, args) {
    if (args.length > 0) throw Object.assign(new Error(`unexpected argument "${args[0]}"`), { usage: true });
    ctx.print({ program: PROGRAM }, () => PROGRAM);
    return EXIT.ok;
  },
};
