/**
 * Help is made from the option table that the parser reads, and this checks it both ways for
 * every command: each option the parser accepts is on a line of its own in `cairn COMMAND --help`
 * with a description, and each option a help line names is accepted by the parser. Also: no
 * command defines an option that a global one already has, and `cairn --help` names every command.
 */
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadCommands } from '../../src/cli/cli-model.js';
import { COMMANDS } from '../../src/cli/command-list.js';
import { GLOBAL_OPTIONS } from '../../src/cli/global-options.js';
import { commandHelp, programHelp } from '../../src/cli/help.js';
import { commandSpecs } from '../../src/cli/main.js';

/** The options help names, each from a line of the form `  -e, --exclude PATTERN   what it does`. */
function helpOptions(help: string): { short?: string; long: string; value?: string; text: string }[] {
  const out = [];
  for (const line of help.split('\n')) {
    const m = /^ {2}(?:-(\w), | {4})--([\w-]+)(?: (\S+))? +(\S.*)$/.exec(line);
    if (m) out.push({ short: m[1], long: m[2] as string, value: m[3], text: m[4] as string });
  }
  return out;
}

describe('cairn help and the option table', () => {
  it('lists on a line of its own, with a description, every option the parser accepts, and only those', async () => {
    for (const command of await loadCommands()) {
      const specs = commandSpecs(command);
      const listed = helpOptions(commandHelp(command));
      const names = listed.map((o) => o.long);
      expect(new Set(names).size, command.name).toBe(names.length);
      expect(names.sort(), command.name).toEqual(Object.keys(specs).sort());
      for (const o of listed) {
        const spec = specs[o.long];
        expect(spec?.short, `${command.name} --${o.long}`).toBe(o.short);
        expect(o.value !== undefined, `${command.name} --${o.long} takes a value`).toBe(spec?.type === 'string');
        expect(o.text.length, `${command.name} --${o.long}`).toBeGreaterThan(10);
        // The parser takes the option as help writes it (with a value when help shows one).
        const args = [`--${o.long}`, ...(o.value ? ['x'] : [])];
        const parsed = parseArgs({ args, options: specs, strict: true, allowPositionals: true });
        expect(parsed.values[o.long], `${command.name} --${o.long}`).toBeDefined();
      }
    }
  });

  it('backup --help shows --repo, --host and -e/--exclude each with what it does', async () => {
    const backup = (await loadCommands()).find((c) => c.name === 'backup');
    const help = commandHelp(backup!);
    expect(help).toMatch(/^ {2}-r, --repo LOCATION +repository location/m);
    expect(help).toMatch(/^ {6}--host HOST +record HOST/m);
    expect(help).toMatch(/^ {2}-e, --exclude PATTERN +leave out files and folders matching PATTERN/m);
    expect(help).toMatch(/^ {2}-x, --one-file-system +do not cross/m);
  });

  it('no command redefines a global option or its alias', async () => {
    const globalNames = new Set(GLOBAL_OPTIONS.map((d) => d.name));
    const globalShorts = new Set(GLOBAL_OPTIONS.flatMap((d) => (d.short ? [d.short] : [])));
    for (const command of await loadCommands()) {
      for (const d of command.options) {
        expect(globalNames.has(d.name), `${command.name} --${d.name}`).toBe(false);
        if (d.short) expect(globalShorts.has(d.short), `${command.name} -${d.short}`).toBe(false);
      }
    }
  });

  it('cairn --help names every command, version and help included, with its summary', () => {
    const help = programHelp();
    for (const c of COMMANDS) expect(help).toContain(`  ${c.name.padEnd(10)}  ${c.summary}`);
    expect(COMMANDS.map((c) => c.name)).toEqual(expect.arrayContaining(['version', 'help', 'completion', 'man']));
    expect(help).toMatch(/^ {2}12 +wrong password/m);
    expect(help).toMatch(/^ {2}130 +interrupted/m);
  });
});
