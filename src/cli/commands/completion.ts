/** `cairn completion bash|zsh|fish`: prints the shell's completion script, made from the option table. */
import { loadCommands } from '../cli-model.js';
import { bashCompletion } from '../completion-bash.js';
import { fishCompletion } from '../completion-fish.js';
import { zshCompletion } from '../completion-zsh.js';
import { type Command, EXIT } from './types.js';

const SHELLS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

export const completionCommand: Command = {
  name: 'completion',
  summary: 'print a shell completion script: cairn completion bash|zsh|fish',
  usage: 'cairn completion bash|zsh|fish',
  options: [],
  subcommands: Object.keys(SHELLS),
  async run(_ctx, args) {
    const [shell, extra] = args;
    if (extra !== undefined) throw Object.assign(new Error(`unexpected argument "${extra}"`), { usage: true });
    const make = shell && Object.hasOwn(SHELLS, shell) ? SHELLS[shell as keyof typeof SHELLS] : undefined;
    if (!make) {
      throw Object.assign(new Error(`name a shell: ${Object.keys(SHELLS).join(', ')}`), { usage: true });
    }
    process.stdout.write(make(await loadCommands()));
    return EXIT.ok;
  },
};
