import { mkdirSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRepoPath } from '../util/paths.js';
import { ExcludeRules } from './excludes.js';
import { type Count, namedPaths, QuickCount } from './quick-count.js';
import { rootSteps } from './walker.js';

/** Enough entries that one slice of the count (a few milliseconds) cannot list them all. */
const FOLDERS = 80;
const PER_FOLDER = 100;

describe('QuickCount', () => {
  let dir: string;
  let src: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-quick-count-'));
    src = path.join(dir, 'src');
    for (let d = 0; d < FOLDERS; d++) {
      mkdirSync(path.join(src, `d${d}`), { recursive: true });
      for (let f = 0; f < PER_FOLDER; f++) writeFileSync(path.join(src, `d${d}`, `f${f}`), 'abc');
    }
    writeFileSync(path.join(src, 'skip.tmp'), 'not counted');
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** The paths the backup of `paths` walks. */
  const steps = (...paths: string[]) =>
    namedPaths(
      rootSteps(
        paths,
        paths.map((p) => toRepoPath(p)),
      ),
    );

  it('counts the files and bytes the walk would back up, once for nested named paths', async () => {
    let told: Count | undefined;
    const count = new QuickCount(steps(src, path.join(src, 'd3')), ExcludeRules.fromPatterns(['*.tmp']), {
      onComplete: (c) => {
        told = c;
      },
    });
    expect(count.counting).toBe(true);
    await count.done;
    expect(count).toMatchObject({ complete: true, counting: false, files: FOLDERS * PER_FOLDER });
    expect(told).toEqual({ files: FOLDERS * PER_FOLDER, bytes: 3 * FOLDERS * PER_FOLDER });
  });

  it('counts a named file', async () => {
    const count = new QuickCount(steps(path.join(src, 'skip.tmp')), ExcludeRules.fromPatterns(['*.tmp']));
    await count.done;
    expect(count).toMatchObject({ complete: true, files: 1, bytes: 'not counted'.length });
  });

  it('stops part-way when its signal aborts', async () => {
    const controller = new AbortController();
    let completed = false;
    const count = new QuickCount(steps(src), ExcludeRules.fromPatterns([]), {
      signal: controller.signal,
      onComplete: () => {
        completed = true;
      },
    });
    // Let the count run until it has counted something, then abort it.
    while (count.files === 0 && count.counting) await nextTurn();
    controller.abort();
    await count.done;
    expect(count.files).toBeGreaterThan(0);
    expect(count.files).toBeLessThan(FOLDERS * PER_FOLDER);
    expect(count).toMatchObject({ complete: false, counting: false });
    expect(completed).toBe(false);
  });

  it('stops when asked to, before it counted anything', async () => {
    const count = new QuickCount(steps(src), ExcludeRules.fromPatterns([]));
    await count.stop();
    expect(count).toMatchObject({ complete: false, counting: false, files: 0, bytes: 0 });
  });
});
