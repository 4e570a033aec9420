/** `cairn man`: prints the manual page cairn(1) in roff (read it with `cairn man | man -l -`). */
import { loadCommands } from '../cli-model.js';
import { manPage } from '../man-page.js';
import { type Command, EXIT } from './types.js';

export const manCommand: Command = {
  name: 'man',
  summary: 'print the manual page (roff): cairn man | man -l -',
  usage: 'cairn man',
  options: [],
  async run(_ctx, args) {
    if (args.length > 0) throw Object.assign(new Error(`unexpected argument "${args[0]}"`), { usage: true });
    process.stdout.write(manPage(await loadCommands()));
    return EXIT.ok;
  },
};
