/**
 * Writes a repository whose index lists N chunks and which holds no pack data: a real repository
 * (config, key slot) with real sealed index files, laid out as backups write them (32 packs per
 * index file), for measuring how the index opens and what it costs in memory at millions of
 * chunks (scripts/bench/index.mjs). Blob ids are random; every `sampleEvery`-th blob is written
 * to `sample.tsv` (id, pack, type, offset, length, rawLength) so a reader can check lookups.
 * Run: npx tsx scripts/synthetic-index.ts DIR CHUNKS [BLOBS_PER_PACK]
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalBackend } from '../src/engine/backend/local.js';
import type { KdfCost } from '../src/engine/crypto/kdf.js';
import type { IndexedPack } from '../src/engine/format/index-file.js';
import type { PackEntry } from '../src/engine/format/pack.js';
import { Repository } from '../src/engine/repo/repository.js';

export const SYNTHETIC_PASSWORD = 'synthetic index';
/** The production key derivation at a cost of ~1 ms: the bench measures the index, not the unlock. */
export const SYNTHETIC_KDF: KdfCost = { name: 'argon2id', m: 1024, t: 1, p: 1 };
/** As repository.ts writes them: an index file after every 32 packs. */
const PACKS_PER_INDEX = 32;
/** One pack in this many holds trees (small blobs, many per pack), like a backup's tree packs. */
const TREE_PACK_EVERY = 40;

export interface SyntheticIndexOptions {
  /** Blobs per data pack (default 16: 16 MiB packs of ~1 MiB chunks, a repository of large files). */
  blobsPerPack?: number;
  /** Every this many blobs, one goes to sample.tsv (default 1000). */
  sampleEvery?: number;
  /** Told after every index file written. */
  onProgress?: (chunks: number, files: number) => void;
}

export interface SyntheticIndex {
  chunks: number;
  packs: number;
  indexFiles: number;
  indexBytes: number;
  samplePath: string;
}

/** Writes the repository at `dir` (which must not exist yet). */
export async function writeSyntheticIndex(
  dir: string,
  chunks: number,
  options: SyntheticIndexOptions = {},
): Promise<SyntheticIndex> {
  if (!Number.isSafeInteger(chunks) || chunks < 1) throw new Error(`chunks must be a whole number ≥ 1, not ${chunks}`);
  if (existsSync(dir)) throw new Error(`${dir} exists already: give a folder that does not exist yet`);
  const blobsPerPack = options.blobsPerPack ?? 16;
  const sampleEvery = options.sampleEvery ?? 1000;
  const repo = await Repository.init(new LocalBackend(dir), SYNTHETIC_PASSWORD, { kdf: SYNTHETIC_KDF });
  const samplePath = path.join(dir, 'sample.tsv');
  const sample = createWriteStream(samplePath);
  let written = 0;
  let packCount = 0;
  let indexFiles = 0;
  let indexBytes = 0;
  let pending: IndexedPack[] = [];
  const flush = async () => {
    const id = await repo.saveIndexFile({ version: 1, supersedes: [], packs: pending });
    indexBytes += (await repo.backend.stat({ kind: 'index', id })).size;
    indexFiles++;
    pending = [];
    options.onProgress?.(written, indexFiles);
  };
  try {
    while (written < chunks) {
      const tree = packCount % TREE_PACK_EVERY === TREE_PACK_EVERY - 1;
      // Tree packs (4 MiB) hold many small blobs; data packs (16 MiB) hold blobsPerPack chunks.
      const count = Math.min(chunks - written, tree ? blobsPerPack * 8 : blobsPerPack);
      const ids = randomBytes(32 * count);
      const sizes = randomBytes(4 * count);
      const packId = randomBytes(32).toString('hex');
      const blobs: PackEntry[] = [];
      let offset = 0;
      for (let i = 0; i < count; i++) {
        const rawLength = tree
          ? 200 + (sizes.readUInt32LE(4 * i) % 20_000)
          : 512 * 1024 + (sizes.readUInt32LE(4 * i) % (1 << 20));
        const length = tree ? Math.ceil(rawLength / 3) + 45 : rawLength + 45;
        const entry: PackEntry = {
          id: ids.toString('hex', 32 * i, 32 * i + 32),
          type: tree ? 'tree' : 'data',
          offset,
          length,
          rawLength,
        };
        blobs.push(entry);
        if ((written + i) % sampleEvery === 0) {
          sample.write(`${entry.id}\t${packId}\t${entry.type}\t${offset}\t${length}\t${rawLength}\n`);
        }
        offset += length;
      }
      pending.push({ id: packId, blobs });
      written += count;
      packCount++;
      if (pending.length === PACKS_PER_INDEX) await flush();
    }
    if (pending.length > 0) await flush();
  } finally {
    await new Promise<void>((resolve, reject) => sample.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await repo.close();
  }
  return { chunks: written, packs: packCount, indexFiles, indexBytes, samplePath };
}

async function main(argv: string[]): Promise<void> {
  const [dir, chunksArg, perPackArg] = argv;
  const chunks = Number(chunksArg);
  const blobsPerPack = perPackArg === undefined ? undefined : Number(perPackArg);
  if (!dir || !Number.isSafeInteger(chunks) || chunks < 1 || (blobsPerPack !== undefined && !(blobsPerPack >= 1))) {
    process.stderr.write('usage: npx tsx scripts/synthetic-index.ts DIR CHUNKS [BLOBS_PER_PACK]\n');
    process.exitCode = 2;
    return;
  }
  const result = await writeSyntheticIndex(path.resolve(dir), chunks, { ...(blobsPerPack ? { blobsPerPack } : {}) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`synthetic-index: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
