/** The options every `cairn` command takes; in a module of their own so the CLI's entry can read them before the rest loads. */
import type { OptionSpecs } from './commands/types.js';
import { STORAGE_OPTIONS } from './storage-options.js';

export const GLOBAL_OPTIONS: OptionSpecs = {
  repo: { type: 'string', short: 'r' },
  'password-file': { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  ...STORAGE_OPTIONS,
};
