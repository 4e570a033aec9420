/**
 * The one table of a command's options: each row names an option, its one-letter alias, the name
 * of its value (none for a switch), what it does, whether it may be given more than once, and the
 * subcommands it belongs to. The argument parser's specs (`parseSpecs`), `--help`, the shell
 * completions and the man page are all made from these rows, so none of them can drift from what
 * the parser accepts.
 */
import type { ParseArgsConfig } from 'node:util';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export interface OptionDef {
  /** The long name, without `--`. */
  name: string;
  /** A one-letter alias, without `-`. */
  short?: string;
  /** The value's name in help (`PATTERN`, `FILE`); absent for a switch that takes none. */
  value?: string;
  description: string;
  /** May be given more than once (each value is kept). */
  multiple?: true;
  /** The values it takes, when they are a fixed few (completions offer them). */
  choices?: readonly string[];
  /** The subcommands it belongs to (`key add`, `repair index`); absent: the whole command. */
  subcommands?: readonly string[];
}

/** A titled group of rows, as help and the man page show them. */
export interface OptionGroup {
  title: string;
  options: readonly OptionDef[];
  /** A paragraph after the rows (where secrets come from instead of options). */
  note?: string;
}

/** node:util parseArgs specs of the rows. */
export function parseSpecs(defs: readonly OptionDef[]): OptionSpecs {
  const specs: OptionSpecs = {};
  for (const d of defs) {
    specs[d.name] = {
      type: d.value === undefined ? 'boolean' : 'string',
      ...(d.short ? { short: d.short } : {}),
      ...(d.multiple ? { multiple: true } : {}),
    };
  }
  return specs;
}

/** How the option is written in help: `-e, --exclude PATTERN`. */
export function optionFlags(d: OptionDef): string {
  return `${d.short ? `-${d.short}, ` : '    '}--${d.name}${d.value ? ` ${d.value}` : ''}`;
}

/** What help says after the flags: the description, and when it can repeat or which subcommands take it. */
export function optionText(d: OptionDef): string {
  const notes = [...(d.multiple ? ['repeatable'] : []), ...(d.subcommands ? [`${d.subcommands.join(', ')} only`] : [])];
  return notes.length > 0 ? `${d.description} (${notes.join('; ')})` : d.description;
}

/**
 * The rows of a command with subcommands, from each subcommand's own rows: an option that several
 * take appears once, naming all of them.
 */
export function mergeSubcommandOptions(subs: Record<string, { options: readonly OptionDef[] }>): OptionDef[] {
  const merged = new Map<string, OptionDef>();
  for (const [sub, { options }] of Object.entries(subs)) {
    for (const d of options) {
      const seen = merged.get(d.name);
      merged.set(d.name, { ...(seen ?? d), subcommands: [...(seen?.subcommands ?? []), sub] });
    }
  }
  return [...merged.values()];
}

/** The first option given that `sub` does not take, for "--x is not an option of …". */
export function foreignOption(
  values: Record<string, unknown>,
  all: readonly OptionDef[],
  sub: { options: readonly OptionDef[] },
): string | undefined {
  const own = new Set(sub.options.map((d) => d.name));
  return all.find((d) => values[d.name] !== undefined && !own.has(d.name))?.name;
}
