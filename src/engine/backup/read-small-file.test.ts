/**
 * readSmallFile on real files whose size is, or no longer is, the one lstat gave: the contents
 * when it fits, undefined when the file grew past the expected size (the archiver then chunks it).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSmallFile } from './read-small-file.js';

describe('readSmallFile', () => {
  let dir: string;
  const buffer = Buffer.alloc(64 * 1024 + 1);

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-read-small-'));
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, data: Buffer): Promise<string> {
    const p = path.join(dir, name);
    await fs.writeFile(p, data);
    return p;
  }

  it('reads a file of exactly the expected size, and an empty one', async () => {
    const data = randomBytes(40_000);
    expect(readSmallFile(await file('exact', data), data.length, buffer)?.equals(data)).toBe(true);
    expect(readSmallFile(await file('empty', Buffer.alloc(0)), 0, buffer)?.length).toBe(0);
  });

  it('gives undefined for a file larger than expected, even by one byte', async () => {
    const data = randomBytes(1000);
    const p = await file('grew', data);
    expect(readSmallFile(p, 999, buffer)).toBeUndefined();
    expect(readSmallFile(p, 0, buffer)).toBeUndefined();
    expect(readSmallFile(p, 1000, buffer)?.equals(data)).toBe(true);
  });

  it('reads the whole of a file that shrank since it was measured', async () => {
    const data = randomBytes(500);
    const got = readSmallFile(await file('shrank', data), 30_000, buffer);
    expect(got?.equals(data)).toBe(true);
  });

  it('reports a missing file with its errno code', async () => {
    expect(() => readSmallFile(path.join(dir, 'missing'), 10, buffer)).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });
});
