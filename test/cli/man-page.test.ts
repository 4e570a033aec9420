/**
 * `cairn man`: the manual page renders with `man -l` without a warning (where man is installed;
 * elsewhere its roff is checked by structure), and names every command, every option of the
 * table, the environment variables and the exit codes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommands } from '../../src/cli/cli-model.js';
import type { Command } from '../../src/cli/commands/types.js';
import { EXIT_MEANINGS } from '../../src/cli/commands/types.js';
import { GLOBAL_OPTIONS } from '../../src/cli/global-options.js';
import { manPage } from '../../src/cli/man-page.js';
import { makeTempDir, removeDir } from '../engine/helpers.js';
import { cairn } from '../support/cli.js';

const HAS_MAN = spawnSync('sh', ['-c', 'command -v man']).status === 0;
let dir: string;
let commands: Command[];
let page: string;

beforeAll(async () => {
  dir = await makeTempDir('man-page');
  commands = await loadCommands();
  page = manPage(commands);
});

afterAll(async () => {
  await removeDir(dir);
});

describe('cairn man', () => {
  it('prints the page on stdout', () => {
    const r = cairn(['man']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(page);
  });

  it.runIf(HAS_MAN)('renders with man -l, without a warning, naming every command, option and exit code', async () => {
    const file = path.join(dir, 'cairn.1');
    await fs.writeFile(file, page);
    const r = spawnSync('man', ['-l', file], {
      encoding: 'utf8',
      env: { ...process.env, MANWIDTH: '200', MANPAGER: 'cat', PAGER: 'cat' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // Rendered text (man prints no overstrike to a pipe): no roff left, hyphens as hyphens.
    const text = r.stdout;
    for (const heading of ['NAME', 'SYNOPSIS', 'COMMANDS', 'GLOBAL OPTIONS', 'ENVIRONMENT', 'EXIT STATUS'])
      expect(text).toMatch(new RegExp(`^${heading}$`, 'm'));
    for (const c of commands) expect(text).toMatch(new RegExp(`^ {3}${c.name}$`, 'm'));
    for (const d of [...GLOBAL_OPTIONS, ...commands.flatMap((c) => c.options)]) expect(text).toContain(`--${d.name}`);
    for (const [code, meaning] of EXIT_MEANINGS) {
      expect(text).toMatch(new RegExp(`^ {7}${code} +${meaning.split(' ')[0]}\\b`, 'm'));
    }
    expect(text).toContain('CAIRN_PASSWORD_COMMAND');
    expect(text).not.toMatch(/\\[-e&[]/);
  });

  it('is roff by structure: a .TH first, known macros only, no raw non-ASCII, no unescaped leading dot', () => {
    if (!HAS_MAN) console.log('man is not installed here: checking the roff by structure only');
    const lines = page.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\.TH CAIRN 1 /);
    for (const line of lines) {
      if (line.startsWith('.')) expect(line, line).toMatch(/^\.(TH|SH|SS|B|I|RI|BR|TP|PP|nf|fi)( |$)/);
      expect(line, line).not.toMatch(/[^\t -~]/);
      expect(line, line).not.toMatch(/^'/);
    }
  });
});
