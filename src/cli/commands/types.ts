/**
 * The shape of a CLI command: its name, help text, options (node:util parseArgs specs) and the
 * function that runs it and returns the process exit code.
 */
import type { ParseArgsConfig } from 'node:util';
import type { CliContext } from '../context.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpecs;
  run(ctx: CliContext, args: string[], values: OptionValues): Promise<number>;
}

export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  /** The backup completed, but some files could not be read: the recovery point is partial. */
  partial: 3,
  noRepository: 10,
  locked: 11,
} as const;

export function str(values: OptionValues, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

export function list(values: OptionValues, key: string): string[] {
  const v = values[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

export function flag(values: OptionValues, key: string): boolean {
  return values[key] === true;
}
