/**
 * Tests for scripts/check-boundaries.mjs: each rule catches its offence in a throw-away source tree,
 * and clean code (including forbidden words inside comments, strings and regexes) passes.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkBoundaries, findImports } from '../scripts/check-boundaries.mjs';

const SCRIPT = fileURLToPath(new URL('../scripts/check-boundaries.mjs', import.meta.url));

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'cairn-boundaries-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(relative: string, content: string): Promise<void> {
  const file = path.join(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

function findings(): string[] {
  return checkBoundaries(root).violations.map((v) => `${v.file}:${v.line}: ${v.message}`);
}

describe('engine rules', () => {
  it('catches a static import of electron, with file and line', async () => {
    await put('src/engine/ok.ts', 'export const a = 1;\n');
    await put('src/engine/sub/bad.ts', "// header\nimport { app } from 'electron';\nexport const b = app;\n");
    const { filesChecked, violations } = checkBoundaries(root);
    expect(filesChecked).toBe(2);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ file: 'src/engine/sub/bad.ts', line: 2 });
    expect(violations[0]?.message).toContain("'electron'");
  });

  it('catches dynamic import, require, type-only import and subpaths of UI packages', async () => {
    await put(
      'src/engine/bad.ts',
      [
        "export const load = () => import('react');",
        "const dom = require('react-dom/client');",
        "import type { StoreApi } from 'zustand/vanilla';",
        "export type App = typeof import('electron/main');",
        'export { dom };',
      ].join('\n'),
    );
    const lines = checkBoundaries(root).violations.map((v) => v.line);
    expect(lines).toEqual([1, 2, 3, 4]);
  });

  it('catches relative imports that land in src/main, src/renderer and the other app layers', async () => {
    await put(
      'src/engine/repo/bad.ts',
      [
        "import { x } from '../../main/x.js';",
        "export * from '../../renderer/store.js';",
        "import '../../cli/index.js';",
        "import { y } from '../../server/routes.js';",
        "import { z } from '../../preload/index.js';",
      ].join('\n'),
    );
    await put('src/engine/bad2.ts', "import { w } from '../main/x.js';\n");
    const result = findings();
    expect(result).toHaveLength(6);
    expect(result).toContain(
      "src/engine/bad2.ts:1: imports '../main/x.js' from src/main: the engine must not reach into src/main",
    );
  });

  it('allows imports within the engine, of node built-ins, of the contract and of other packages', async () => {
    await put(
      'src/engine/good.ts',
      [
        "import { createHash } from 'node:crypto';",
        "import { gcm } from '@noble/ciphers/aes.js';",
        "import { schema } from '../contract/schema.js';",
        "import { other } from './util/other.js';",
        "import { mainly } from './main/helper.js';",
        'export const all = [createHash, gcm, schema, other, mainly];',
      ].join('\n'),
    );
    expect(findings()).toEqual([]);
  });

  it('catches DOM globals used as identifiers', async () => {
    await put(
      'src/engine/dom.ts',
      [
        'export const w = window.location;',
        'export const d = typeof document;',
        'export const s = cond ? localStorage : null;',
        // Split so the linter does not take the placeholder for a mistake in this string.
        'export const t = `agent: ${' + 'navigator.userAgent}`;',
        'requestAnimationFrame(() => {});',
        'export class X extends HTMLElement {}',
      ].join('\n'),
    );
    const found = checkBoundaries(root).violations;
    expect(found.map((v) => v.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(found[0]?.message).toContain("'window'");
  });

  it('ignores DOM words in comments, strings, regexes, property names and member accesses', async () => {
    await put(
      'src/engine/clean.ts',
      [
        '/** Runs without a window or a document. */',
        '// navigator and localStorage are browser things',
        'export const message = \'the window closed\' + "document" + `sessionStorage`;',
        'export const pattern = /window|document/;',
        'export const options = { window: 64, document: true };',
        'export interface Settings { window?: number; navigator: string }',
        'export const size = options.window + (settings?.document ? 1 : 0);',
        'export const note = \'an import of "electron" in a string is not an import\';',
        "// import { app } from 'electron';",
      ].join('\n'),
    );
    expect(findings()).toEqual([]);
  });
});

describe('engine clock rule', () => {
  it('catches Date.now and argument-less new Date in the engine, with file and line', async () => {
    await put(
      'src/engine/backup/bad.ts',
      [
        'export const started = Date.now();',
        'export const clock = options.clock ?? Date.now;',
        'export const time = new Date().toISOString();',
        'export const bare = new Date;',
        'export const label = `at ${' + 'Date . now()}`;',
        'export const spaced = new Date( );',
        'export const optional = Date?.now();',
      ].join('\n'),
    );
    const found = checkBoundaries(root).violations;
    expect(found.map((v) => v.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(found[0]?.message).toContain("'Date.now'");
    expect(found[0]?.message).toContain('src/engine/util/clock.ts');
    expect(found[2]?.message).toContain("'new Date'");
  });

  it('ignores clock words in comments and strings, dates from a value, and other clocks', async () => {
    await put(
      'src/engine/clean-clock.ts',
      [
        '/** Unlike Date.now(), the clock here is passed in; new Date() is for util/clock.ts. */',
        '// const t = Date.now();',
        "export const message = 'Date.now() and new Date() are not called here';",
        'export const fromMs = new Date(clock()).toISOString();',
        'export const epoch = new Date(0);',
        "export const parsed = Date.parse('2026-01-01T00:00:00Z');",
        'export const pacing = performance.now();',
        'export const other = value.Date.now + myDate.now;',
        'export const Dates = { now: 1 };',
      ].join('\n'),
    );
    expect(findings()).toEqual([]);
  });

  it('leaves the clock module, engine tests and the app layer alone', async () => {
    await put('src/engine/util/clock.ts', 'export const systemClock = () => Date.now();\n');
    await put('src/engine/backup/walk.test.ts', 'export const t = Date.now() + new Date().getTime();\n');
    await put('src/app/scheduler/now.ts', 'export const now = () => new Date();\n');
    expect(findings()).toEqual([]);
  });
});

describe('contract rules', () => {
  it('allows zod and other contract modules only', async () => {
    await put(
      'src/contract/api.ts',
      "import { z } from 'zod';\nimport { ids } from './ids.js';\nexport const s = z.object({ ids });\n",
    );
    await put(
      'src/contract/bad.ts',
      [
        "import { app } from 'electron';",
        "import { repo } from '../engine/repo/repo.js';",
        "import { readFile } from 'node:fs/promises';",
        "import { store } from '../renderer/store.js';",
      ].join('\n'),
    );
    const found = checkBoundaries(root).violations;
    expect(found.map((v) => `${v.file}:${v.line}`)).toEqual([
      'src/contract/bad.ts:1',
      'src/contract/bad.ts:2',
      'src/contract/bad.ts:3',
      'src/contract/bad.ts:4',
    ]);
  });

  it('lets contract tests use test tooling but not the engine', async () => {
    await put(
      'src/contract/api.test.ts',
      "import { describe } from 'vitest';\nimport { x } from '../engine/x.js';\nexport { describe, x };\n",
    );
    expect(findings()).toEqual([
      "src/contract/api.test.ts:2: imports '../engine/x.js' from src/engine: the contract is shared by both sides and must not",
    ]);
  });
});

describe('renderer rules', () => {
  it('catches imports of the engine, of Node built-ins and of electron', async () => {
    await put(
      'src/renderer/App.tsx',
      [
        "import { createRoot } from 'react-dom/client';",
        "import { backup } from '../engine/backup/run.js';",
        "import fs from 'node:fs';",
        "import path from 'path';",
        "import { ipcRenderer } from 'electron';",
        "import { client } from '../contract/client.js';",
        'export const App = () => <div className="app">It\'s {client.name}</div>;',
        'export const all = [createRoot, backup, fs, path, ipcRenderer];',
      ].join('\n'),
    );
    expect(checkBoundaries(root).violations.map((v) => v.line)).toEqual([2, 3, 4, 5]);
  });
});

describe('findImports', () => {
  it('reads every import form and skips lookalikes', () => {
    const source = [
      "import a from 'a';",
      "import 'b';",
      'export { c } from "c";',
      "const d = await import('d');",
      'const e = require(`e`);',
      "Array.from('not-an-import');",
      'const s = \'import x from "nope"\';',
    ].join('\n');
    expect(findImports(source).map((i) => i.specifier)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('command line', () => {
  const run = promisify(execFile);

  it('prints the summary and exits 0 on a clean tree', async () => {
    await put('src/engine/a.ts', 'export const a = 1;\n');
    await put('src/renderer/b.ts', "import { z } from 'zod';\nexport const b = z;\n");
    const { stdout } = await run(process.execPath, [SCRIPT, root]);
    expect(stdout.trim()).toBe('boundaries: 2 files checked, ok');
  });

  it('lists file:line and exits 1 on a violation', async () => {
    await put('src/engine/a.ts', "\n\nimport 'electron';\n");
    const failure = await run(process.execPath, [SCRIPT, root]).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('src/engine/a.ts:3:');
    expect(failure?.stderr).toContain('boundaries: 1 violation in 1 file (1 files checked)');
  });
});
