/** The shape of a `cairn privacy SUBCOMMAND` (each in its own file, listed in privacy.ts). */
import type { CliContext } from '../context.js';
import type { OptionDef, OptionValues } from './types.js';

export interface PrivacySubcommand {
  summary: string;
  usage: string;
  options: readonly OptionDef[];
  run(ctx: CliContext, args: string[], values: OptionValues): Promise<number>;
}
