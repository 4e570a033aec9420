/**
 * Opens a repository written by synthetic-index.ts and measures its index, in a process of its
 * own so the memory figures hold nothing else: the time to unlock and to read every index file,
 * the heap, array-buffer and RSS growth the loaded index costs (after a full GC), and the time
 * of `has`/`get` lookups, whose answers are checked against the generator's sample. Times are
 * wall clock and CPU time of this process: on a busy machine the CPU time is the steadier one.
 * Run: node --expose-gc --import tsx scripts/measure-index.ts DIR   (prints one JSON line)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalBackend } from '../src/engine/backend/local.js';
import { Repository } from '../src/engine/repo/repository.js';
import { SYNTHETIC_PASSWORD } from './synthetic-index.js';

interface Memory {
  heap: number;
  buffers: number;
  rss: number;
}

function settled(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc, so the memory figures are taken after a full collection');
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.external, rss: m.rss };
}

async function measure(dir: string) {
  const sample = readFileSync(path.join(dir, 'sample.tsv'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, pack, type, offset, length, rawLength] = line.split('\t');
      return {
        id: id as string,
        loc: { pack, type, offset: Number(offset), length: Number(length), rawLength: Number(rawLength) },
      };
    });
  const t0 = performance.now();
  const repo = await Repository.open(new LocalBackend(dir), SYNTHETIC_PASSWORD);
  const t1 = performance.now();
  const before = settled();
  const t2 = performance.now();
  const c2 = process.cpuUsage();
  await repo.loadIndex();
  const loadCpu = process.cpuUsage(c2);
  const t3 = performance.now();
  const peakRss = process.memoryUsage().rss;
  const after = settled();
  const chunks = repo.index.blobCount;

  // Lookups: the sampled ids (present) and as many absent ones, repeated to a million calls.
  const absent = sample.map((s) => `${s.id.slice(0, 63)}${s.id[63] === '0' ? '1' : '0'}`);
  for (const s of sample) {
    const got = repo.index.get(s.id);
    if (!got || JSON.stringify(got) !== JSON.stringify(s.loc)) {
      throw new Error(`blob ${s.id} is indexed as ${JSON.stringify(got)}, not ${JSON.stringify(s.loc)}`);
    }
  }
  for (const id of absent) if (repo.index.has(id)) throw new Error(`blob ${id} was never written but is indexed`);
  const rounds = Math.max(1, Math.ceil(1_000_000 / (2 * sample.length)));
  let found = 0;
  const c4 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    for (const s of sample) if (repo.index.get(s.id)) found++;
    for (const id of absent) if (repo.index.has(id)) found++;
  }
  const lookupCpu = process.cpuUsage(c4);
  if (found !== rounds * sample.length) throw new Error('lookups changed their answers between rounds');
  await repo.close();
  return {
    chunks,
    packs: [...repo.index.packIds()].length,
    unlockS: (t1 - t0) / 1000,
    loadS: (t3 - t2) / 1000,
    loadCpuS: (loadCpu.user + loadCpu.system) / 1e6,
    heapBytes: after.heap - before.heap,
    bufferBytes: after.buffers - before.buffers,
    rssBytes: after.rss - before.rss,
    peakRssBytes: peakRss - before.rss,
    lookupNs: ((lookupCpu.user + lookupCpu.system) * 1e3) / (rounds * 2 * sample.length),
  };
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node --expose-gc --import tsx scripts/measure-index.ts DIR\n');
  process.exitCode = 2;
} else {
  measure(path.resolve(dir)).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      process.stderr.write(`measure-index: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
