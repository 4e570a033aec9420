/**
 * README.md is a promise to a newcomer, so it is tested like code: its command-line quick start
 * (the fenced block after `<!-- readme-test: quick-start -->`) runs as written, in bash, with the
 * real `cairn` entry script (bin/cairn.mjs of a private build) against a temp home folder; its
 * apt list is the one .ci/run installs (.ci/apt-packages.txt); every `npm run X` it names is a
 * script of package.json; every `npx cairn CMD` names a command; and every relative link and
 * anchor resolves.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/command-list.js';
import { cliEnvironment, privateBuild, ROOT } from './support/cli.js';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The body of the first fenced block after the marker comment `<!-- readme-test: NAME -->`. */
function markedBlock(markdown: string, name: string): string {
  const marker = `<!-- readme-test: ${name} -->`;
  const at = markdown.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no "${marker}"`);
  const fence = /^[ \t]*```[a-z]*\n([\s\S]*?)^[ \t]*```/m.exec(markdown.slice(at + marker.length));
  if (!fence?.[1]) throw new Error(`README.md has no fenced block after "${marker}"`);
  return fence[1];
}

/** Package names in .ci/apt-packages.txt: one a line, # comments and blank lines skipped. */
function aptPackagesFile(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] as string)));
}

describe('README quick start', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-readme-'));
  const home = path.join(temp, 'home');
  const documents = path.join(home, 'Documents');
  const files: Record<string, string> = {
    'report.txt': 'the quarterly report\n',
    'photos/2026/beach.jpg': 'not really a jpeg, but bytes all the same\n'.repeat(500),
    'notes/todo.md': '- water the plants\n',
  };
  let bin = '';

  beforeAll(async () => {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(documents, name)), { recursive: true });
      fs.writeFileSync(path.join(documents, name), text);
    }
    bin = await privateBuild(path.join(temp, 'build'));
  });
  afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('runs as written: init, backup, snapshots, restore, check', ({ skip }) => {
    if (process.platform === 'win32') {
      console.log('README quick start skipped: its commands are for a POSIX shell (bash), not Windows');
      skip();
    }
    const block = markedBlock(README, 'quick-start');
    const commands = block.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
    expect(commands.filter((line) => line.startsWith('npx cairn ')).map((line) => line.split(/\s+/)[2])).toEqual([
      'init',
      'backup',
      'snapshots',
      'restore',
      'check',
    ]);
    // `npx cairn` is the project's bin/cairn.mjs; any other npx command would not be the README's promise.
    const preamble = [
      'set -euo pipefail',
      'npx() { if [ "$1" != cairn ]; then echo "the quick start runs only npx cairn, not npx $1" >&2; return 127; fi;',
      '  shift; node "$README_TEST_CAIRN" "$@"; }',
    ].join('\n');
    const run = spawnSync('bash', ['-c', `${preamble}\n${block}`], {
      cwd: temp,
      encoding: 'utf8',
      env: { ...cliEnvironment({ dataDir: path.join(temp, 'data') }), HOME: home, README_TEST_CAIRN: bin },
      timeout: 120_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(run.stdout).toMatch(/^created repository [0-9a-f]{8} at /m);
    expect(run.stdout).toMatch(/^recovery point [0-9a-f]{8} saved$/m);
    expect(run.stdout).toContain(documents);
    expect(run.stdout).toMatch(/^no errors were found$/m);
    // Restored files land below the target by their full path, byte for byte.
    const restored = path.join(home, 'restored', documents);
    for (const [name, text] of Object.entries(files)) {
      expect(fs.readFileSync(path.join(restored, name), 'utf8'), name).toBe(text);
    }
  });
});

describe('README facts', () => {
  it('shows the apt packages .ci/run installs, no more and no fewer', () => {
    const listed = aptPackagesFile(fs.readFileSync(path.join(ROOT, '.ci/apt-packages.txt'), 'utf8'));
    expect(listed.length).toBeGreaterThan(0);
    const command = markedBlock(README, 'apt-packages').trim();
    const install = /apt-get install -y --no-install-recommends (.+)$/.exec(command);
    expect(install, command).not.toBeNull();
    expect((install?.[1] ?? '').split(/\s+/).sort()).toEqual([...listed].sort());
    expect(fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8')).toContain('done < .ci/apt-packages.txt');
  });

  it('names only npm scripts that package.json has', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<
      string,
      string
    >;
    const named = [...README.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1] as string);
    expect(named.length).toBeGreaterThan(3);
    for (const name of new Set(named)) expect(Object.keys(scripts), `npm run ${name}`).toContain(name);
    for (const builtin of ['start', 'test']) {
      if (README.includes(`npm ${builtin}`)) expect(Object.keys(scripts)).toContain(builtin);
    }
  });

  it('names only commands that cairn has', () => {
    const known = new Set(COMMANDS.map((c) => c.name));
    const used = [...README.matchAll(/npx cairn ([a-z-]+)/g)].map((m) => m[1] as string);
    expect(used.length).toBeGreaterThan(10);
    for (const name of new Set(used)) expect(known.has(name), `npx cairn ${name}`).toBe(true);
  });

  it('links only to files and headings that exist', () => {
    const targets = [...README.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
    const local = targets.filter((t) => !/^[a-z]+:/.test(t));
    expect(local.some((t) => t.startsWith('docs/'))).toBe(true);
    for (const target of local) {
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const markdown = file === '' ? README : null;
      if (file !== '') expect(fs.existsSync(path.join(ROOT, file)), `${target}: no such file`).toBe(true);
      if (anchor === undefined) continue;
      const text = markdown ?? fs.readFileSync(path.join(ROOT, file), 'utf8');
      expect([...anchorsOf(text)], `${target}: no such heading`).toContain(anchor);
    }
  });
});
