/**
 * The layer rules catch what they are for: each rule of .dependency-cruiser.cjs
 * (`npm run lint:layers`) fires on a violation planted in a throw-away source tree, and a tree
 * that keeps the rules passes; biome's in-file rules (no DOM in the engine and the app layer, no
 * clock read in the storage core) fire on planted files under a copy of biome.jsonc.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintLayers } from '../scripts/lint-layers.mjs';
import { makeTempDir, removeDir } from './engine/helpers.js';
import { ROOT } from './support/cli.js';

let dir: string;

async function plant(root: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await fs.mkdir(path.join(root, path.dirname(file)), { recursive: true });
    await fs.writeFile(path.join(root, file), text);
  }
}

beforeAll(async () => {
  dir = await makeTempDir('lint-layers');
});

afterAll(async () => {
  await removeDir(dir);
});

describe('dependency-cruiser rules', () => {
  it('each rule fires on its planted violation, naming the files', async () => {
    const root = path.join(dir, 'bad');
    await plant(root, {
      'src/engine/backend/local.ts':
        "import { Repository } from '../repo/repository.js';\nexport const a = Repository;\n",
      'src/engine/repo/repository.ts': 'export const Repository = 1;\n',
      'src/engine/backup/archiver.ts': "import { journal } from '../../app/journal.js';\nexport const b = journal;\n",
      'src/engine/browse/walk.ts': "import React from 'react';\nexport const c = React;\n",
      'src/app/journal.ts': "import { main } from '../cli/main.js';\nexport const journal = main;\n",
      'src/cli/main.ts':
        "import { Repository } from '../engine/repo/repository.js';\nexport const main = Repository;\n",
      'src/server/http.ts': "import { app } from 'electron';\nexport const s = app;\n",
      'src/renderer/App.tsx':
        "import { api } from '../preload/api.js';\nimport fs from 'node:fs';\nexport const App = () => <div>{String(api)}{String(fs)}</div>;\n",
      'src/preload/api.ts': "import { main } from '../main/window.js';\nexport const api = main;\n",
      'src/main/window.ts': 'export const main = 1;\n',
      'src/contract/methods.ts': "import { x } from 'lodash';\nexport const m = x;\n",
    });
    const found = await lintLayers(root);
    const pairs = found.map((v) => `${v.rule}: ${v.from} → ${v.to}`);
    expect(pairs).toEqual(
      expect.arrayContaining([
        'engine-order-backend: src/engine/backend/local.ts → src/engine/repo/repository.ts',
        'engine-not-above: src/engine/backup/archiver.ts → src/app/journal.ts',
        'core-no-ui: src/engine/browse/walk.ts → react',
        'app-not-above: src/app/journal.ts → src/cli/main.ts',
        'callers-through-app: src/cli/main.ts → src/engine/repo/repository.ts',
        'server-no-electron: src/server/http.ts → electron',
        'renderer-only-contract: src/renderer/App.tsx → src/preload/api.ts',
        'renderer-no-node: src/renderer/App.tsx → fs',
        'preload-only-contract: src/preload/api.ts → src/main/window.ts',
        'contract-only-zod: src/contract/methods.ts → lodash',
      ]),
    );
    for (const v of found) expect(v.comment, v.rule).not.toBe('');
  });

  it('a tree that keeps the rules passes, and the command line says so (exit 0), or lists and exits 1', async () => {
    const root = path.join(dir, 'good');
    await plant(root, {
      'src/engine/backend/local.ts': "import { fail } from '../errors.js';\nexport const a = fail;\n",
      'src/engine/errors.ts': 'export const fail = 1;\n',
      'src/engine/repo/repository.ts': "import { a } from '../backend/local.js';\nexport const Repository = a;\n",
      'src/app/services/backup.ts':
        "import { Repository } from '../../engine/repo/repository.js';\nexport const b = Repository;\n",
      'src/cli/main.ts': "import { b } from '../app/services/backup.js';\nexport const main = b;\n",
      'src/contract/methods.ts': "import { z } from 'zod';\nexport const m = z;\n",
      'src/renderer/App.tsx':
        "import { m } from '../contract/methods.js';\nexport const App = () => <p>{String(m)}</p>;\n",
    });
    expect(await lintLayers(root)).toEqual([]);
    const ok = spawnSync(process.execPath, ['scripts/lint-layers.mjs', root], { cwd: ROOT, encoding: 'utf8' });
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe('layers: ok');
    const bad = spawnSync(process.execPath, ['scripts/lint-layers.mjs', path.join(dir, 'bad')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('callers-through-app: src/cli/main.ts → src/engine/repo/repository.ts');
    expect(bad.stdout).toMatch(/layers: \d+ violation\(s\)/);
  });
});

describe("biome's in-file rules", () => {
  it('flag a DOM global in the app layer and a clock read in the storage core, nothing else', async () => {
    const root = path.join(dir, 'biome');
    await fs.mkdir(path.join(root, 'scripts', 'lint'), { recursive: true });
    await fs.copyFile(path.join(ROOT, 'biome.jsonc'), path.join(root, 'biome.jsonc'));
    for (const name of await fs.readdir(path.join(ROOT, 'scripts', 'lint'))) {
      await fs.copyFile(path.join(ROOT, 'scripts', 'lint', name), path.join(root, 'scripts', 'lint', name));
    }
    await plant(root, {
      'src/engine/backup/times.ts':
        "export const now = Date.now();\nexport const made = new Date();\n// Date.now() in a comment\nexport const given = new Date(5);\nexport const parsed = Date.parse('2026-01-01');\n",
      'src/engine/util/clock.ts': 'export const systemClock = () => Date.now();\n',
      'src/app/host/page.ts': 'export const where = window.location;\n',
      'src/cli/main.ts': 'export const when = Date.now();\n',
    });
    const biome = path.join(ROOT, 'node_modules', '.bin', 'biome');
    const r = spawnSync(biome, ['lint', '--max-diagnostics=50', 'src'], { cwd: root, encoding: 'utf8' });
    const output = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    const clock = output.match(/^src\/\S+:\d+:\d+ plugin/gm) ?? [];
    expect(clock.sort()).toEqual(['src/engine/backup/times.ts:1:20 plugin', 'src/engine/backup/times.ts:2:21 plugin']);
    expect(output).toMatch(/src\/app\/host\/page\.ts:1:\d+ lint\/style\/noRestrictedGlobals/);
    expect(output).not.toMatch(/^src\/engine\/util\/clock\.ts:/m);
    expect(output).not.toMatch(/^src\/cli\/main\.ts:/m);
  });
});
