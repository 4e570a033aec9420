/**
 * The shell completions of `cairn completion bash|zsh|fish`, run in the real shells: bash completes
 * commands, subcommands, options (a command's own and the global ones) and fixed option values;
 * fish's `complete -C` does the same from its script; zsh loads its script into compinit. A shell
 * that is not installed is skipped with the reason printed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommands } from '../../src/cli/cli-model.js';
import type { Command } from '../../src/cli/commands/types.js';
import { bashCompletion } from '../../src/cli/completion-bash.js';
import { fishCompletion } from '../../src/cli/completion-fish.js';
import { zshCompletion } from '../../src/cli/completion-zsh.js';
import { makeTempDir, removeDir } from '../engine/helpers.js';
import { cairn } from '../support/cli.js';

function installed(shell: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
  if (!found) console.log(`skipping the ${shell} completion test: ${shell} is not installed on this machine`);
  return found;
}

let dir: string;
let commands: Command[];

beforeAll(async () => {
  dir = await makeTempDir('completion');
  commands = await loadCommands();
});

afterAll(async () => {
  await removeDir(dir);
});

describe('bash completion', () => {
  /** What bash offers for the words typed so far (the last one is being completed). */
  function complete(script: string, words: string[]): string[] {
    const r = spawnSync(
      'bash',
      [
        '--norc',
        '-c',
        `source ${script}; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _cairn; printf '%s\\n' "\${COMPREPLY[@]}"`,
        'bash',
        ...words,
      ],
      { encoding: 'utf8', cwd: dir },
    );
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter((l) => l !== '');
  }

  it.runIf(installed('bash'))('completes commands, subcommands, options and option values', async () => {
    const script = path.join(dir, 'cairn.bash');
    await fs.writeFile(script, bashCompletion(commands));
    expect(complete(script, ['cairn', 'b'])).toEqual(['backup']);
    expect(complete(script, ['cairn', 'ver'])).toEqual(['version']);
    expect(complete(script, ['cairn', 'key', ''])).toEqual(['list', 'add', 'passwd', 'remove']);
    expect(complete(script, ['cairn', 'backup', '--exc']).sort()).toEqual(['--exclude', '--exclude-file']);
    expect(complete(script, ['cairn', 'backup', '--one'])).toEqual(['--one-file-system']);
    // Global options too, and a command's options are not offered to another.
    expect(complete(script, ['cairn', 'backup', '--password-c'])).toEqual(['--password-command']);
    expect(complete(script, ['cairn', 'snapshots', '--exc'])).toEqual([]);
    expect(complete(script, ['cairn', 'restore', 'latest', '--overwrite', ''])).toEqual([
      'never',
      'always',
      'if-newer',
    ]);
    expect(complete(script, ['cairn', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    // A file value: the files of the folder.
    await fs.writeFile(path.join(dir, 'excludes.txt'), '*.tmp\n');
    expect(complete(script, ['cairn', 'backup', '--exclude-file', 'excl'])).toEqual(['excludes.txt']);
  });

  it('cairn completion bash prints the same script; an unknown shell is a usage error', () => {
    const r = cairn(['completion', 'bash']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(bashCompletion(commands));
    const bad = cairn(['completion', 'tcsh']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('name a shell: bash, zsh, fish');
  });
});

describe('fish completion', () => {
  it.runIf(installed('fish'))('completes commands, options with descriptions and option values', async () => {
    const script = path.join(dir, 'cairn.fish');
    await fs.writeFile(script, fishCompletion(commands));
    const complete = (line: string) => {
      const r = spawnSync('fish', ['--no-config', '-c', `source ${script}; complete -C '${line}'`], {
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('');
      return r.stdout.split('\n').filter((l) => l !== '');
    };
    expect(complete('cairn bac')).toEqual(['backup\tback up files and folders into a new recovery point']);
    expect(
      complete('cairn backup --iex')
        .map((l) => l.split('\t')[0])
        .sort(),
    ).toEqual(['--iexclude', '--iexclude-file']);
    expect(
      complete('cairn restore latest --overwrite ')
        .map((l) => l.split('\t')[0])
        .sort(),
    ).toEqual(['always', 'if-newer', 'never']);
    expect(complete('cairn snapshots --rep')).toEqual(['--repo\trepository location (or CAIRN_REPOSITORY)']);
  });
});

describe('zsh completion', () => {
  it.runIf(installed('zsh'))('parses, and defines _cairn for cairn under compinit', async () => {
    const script = path.join(dir, '_cairn');
    await fs.writeFile(script, zshCompletion(commands));
    expect(spawnSync('zsh', ['-n', script], { encoding: 'utf8' }).stderr).toBe('');
    const r = spawnSync(
      'zsh',
      [
        '-f',
        '-c',
        `autoload -Uz compinit && compinit -u -D; source ${script}; print -r -- $_comps[cairn] $+functions[_cairn]`,
      ],
      { encoding: 'utf8', env: { ...process.env, HOME: dir } },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('_cairn 1');
  });
});
