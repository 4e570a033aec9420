/**
 * The index part of `npm run bench` at a small size: the synthetic repository opens with a real
 * Repository and its index answers every sampled lookup (measure-index.ts checks them), the
 * report names the verdicts, and the splice keeps the rest of the file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  INDEX_END,
  INDEX_START,
  renderIndexReport,
  runIndexBench,
  spliceIndexReport,
} from '../scripts/bench/index.mjs';
import { SYNTHETIC_PASSWORD } from '../scripts/synthetic-index.js';
import { LocalBackend } from '../src/engine/backend/local.js';
import { Repository } from '../src/engine/repo/repository.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-index-'));
const root = path.resolve(import.meta.dirname, '..');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('bench: the index part', () => {
  it('writes a repository of N chunks that opens, and measures it in a process of its own', async () => {
    const rows = runIndexBench({ root, work, sizes: [5000], reps: 1, log: () => {} });
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row?.chunks).toBe(5000);
    expect(row?.packs).toBeGreaterThan(5000 / 128);
    expect((row?.heapPerChunk ?? 0) + (row?.buffersPerChunk ?? 0)).toBeGreaterThan(0);

    const repo = await Repository.open(new LocalBackend(path.join(work, 'index-5000')), SYNTHETIC_PASSWORD);
    await repo.loadIndex();
    expect(repo.index.blobCount).toBe(5000);
    expect(repo.indexProblems.size).toBe(0);
    const [first] = readFileSync(path.join(work, 'index-5000', 'sample.tsv'), 'utf8').split('\n');
    const [id, pack, type, offset] = (first ?? '').split('\t');
    expect(repo.index.get(id as string)).toMatchObject({ pack, type, offset: Number(offset) });
    await repo.close();

    const block = renderIndexReport(rows, {
      date: '2026-12-08T00:00:00.000Z',
      machine: 'test machine',
      command: 'npm run bench -- --only index',
      reps: 1,
      loadAtStart: 0,
      cores: 2,
    });
    expect(block).toContain('| 5,000 ');
    expect(block).toMatch(/At 5,000 chunks: index memory [\d.]+ B\/chunk/);
    const spliced = spliceIndexReport(`# Cairn performance\n\n${INDEX_START}\nold\n${INDEX_END}\n\n## Notes\n`, block);
    expect(spliced).not.toContain('old');
    expect(spliced).toContain('## Notes');
    expect(spliced.indexOf(INDEX_START)).toBeLessThan(spliced.indexOf('| 5,000 '));
  }, 120_000);
});
