/**
 * Generators for the fuzz targets (targets.ts): valid repository structures of every kind, and
 * the mutations that turn them into hostile ones. Mutating valid structures, rather than drawing
 * random bytes, is what reaches the deep checks: random bytes almost never parse as JSON, and a
 * JSON document of the right shape with one field retyped or removed is what a faulty writer
 * produces. Byte-level mutations (flips, cuts, insertions) cover the framing.
 */
import fc from 'fast-check';
import { DEFAULT_CHUNKER } from '../../src/engine/chunker/fastcdc.js';
import { ALGORITHMS_V1, ALGORITHMS_V2, type RepositoryConfig } from '../../src/engine/format/config.js';
import type { IndexFile } from '../../src/engine/format/index-file.js';
import type { PackEntry } from '../../src/engine/format/pack.js';
import type { Snapshot } from '../../src/engine/format/snapshot.js';
import type { Tree, TreeNode } from '../../src/engine/format/tree.js';
import type { LockInfo } from '../../src/engine/repo/lock.js';

const HEX = '0123456789abcdef'.split('');

export const hexId = fc.string({ unit: fc.constantFrom(...HEX), minLength: 64, maxLength: 64 });
export const isoTime = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms).toISOString());
const u32 = fc.nat({ max: 0xffffffff });
const name = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 12 }));

// ---------------------------------------------------------------- valid structures

const summary = fc.record({
  filesNew: fc.nat(),
  filesChanged: fc.nat(),
  filesUnchanged: fc.nat(),
  dirs: fc.nat(),
  bytesNew: fc.nat(),
  bytesChanged: fc.nat(),
  bytesUnchanged: fc.nat(),
  dataAdded: fc.nat(),
  dataAddedStored: fc.nat(),
  totalFiles: fc.nat(),
  totalBytes: fc.nat(),
  durationMs: fc.nat(),
});

export const validSnapshot: fc.Arbitrary<Snapshot> = fc.record(
  {
    version: fc.constant(1 as const),
    time: isoTime,
    hostname: name,
    username: name,
    paths: fc.array(name, { maxLength: 3 }),
    tags: fc.array(name, { maxLength: 3 }),
    tree: hexId,
    parent: hexId,
    summary,
    partial: fc.boolean(),
    warnings: fc.array(name, { maxLength: 3 }),
    program: name,
    erasures: fc.array(fc.record({ request: name, original: hexId, time: isoTime }), { maxLength: 2 }),
    repaired: fc.record({ original: hexId, time: isoTime, removedFiles: fc.nat(), emptiedFolders: fc.nat() }),
  },
  {
    requiredKeys: [
      'version',
      'time',
      'hostname',
      'username',
      'paths',
      'tags',
      'tree',
      'summary',
      'partial',
      'warnings',
      'program',
    ],
  },
);

const mtime = fc.double({ min: 0, max: 4e12, noNaN: true, noDefaultInfinity: true });
const mode = fc.nat({ max: 0o7777 });

const fileNode: fc.Arbitrary<TreeNode> = fc.record({
  name,
  mode,
  mtime,
  type: fc.constant('file' as const),
  ctime: mtime,
  inode: fc.nat(),
  size: fc.nat(),
  content: fc.array(hexId, { maxLength: 3 }),
});
const dirNode: fc.Arbitrary<TreeNode> = fc.record({
  name,
  mode,
  mtime,
  type: fc.constant('dir' as const),
  subtree: hexId,
});
const symlinkNode: fc.Arbitrary<TreeNode> = fc.record({
  name,
  mode,
  mtime,
  type: fc.constant('symlink' as const),
  target: name,
});

export const validTree: fc.Arbitrary<Tree> = fc.record({
  nodes: fc.array(fc.oneof(fileNode, dirNode, symlinkNode), { maxLength: 6 }),
});

const packEntry = fc.record({
  type: fc.constantFrom('data' as const, 'tree' as const),
  id: hexId,
  offset: fc.nat(),
  length: fc.nat(),
  rawLength: fc.nat(),
});

export const validIndex: fc.Arbitrary<IndexFile> = fc.record({
  version: fc.constant(1 as const),
  supersedes: fc.array(hexId, { maxLength: 2 }),
  packs: fc.array(fc.record({ id: hexId, blobs: fc.array(packEntry, { maxLength: 4 }) }), { maxLength: 3 }),
});

export const validLock: fc.Arbitrary<LockInfo> = fc.record({
  time: isoTime,
  refreshed: isoTime,
  hostname: name,
  pid: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  exclusive: fc.boolean(),
  operation: name,
});

const chunker = fc
  .tuple(fc.integer({ min: 6, max: 24 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
  .filter(([log, below, above]) => log + above <= 26 && 2 ** (log - below) >= 64)
  .map(([log, below, above]) => ({ minSize: 2 ** (log - below), avgSize: 2 ** log, maxSize: 2 ** (log + above) }));

export const validConfig: fc.Arbitrary<RepositoryConfig> = fc.oneof(
  fc.record({
    version: fc.constant(1 as const),
    id: hexId,
    created: isoTime,
    algorithms: fc.constant({ ...ALGORITHMS_V1 }),
    chunker: fc.oneof(fc.constant({ ...DEFAULT_CHUNKER }), chunker),
    packSize: fc.integer({ min: 1, max: 128 * 1024 * 1024 }),
  }),
  fc.record({
    version: fc.constant(2 as const),
    id: hexId,
    created: isoTime,
    algorithms: fc.constant({ ...ALGORITHMS_V2 }),
    chunker: fc.oneof(fc.constant({ ...DEFAULT_CHUNKER }), chunker),
    packSize: fc.integer({ min: 1, max: 128 * 1024 * 1024 }),
  }),
);

const base64Of = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b).toString('base64'));

export const validKeySlot = fc.record({
  version: fc.constant(1 as const),
  kdf: fc.oneof(
    fc.record({
      name: fc.constant('argon2id' as const),
      m: fc.integer({ min: 1024, max: 2 * 1024 * 1024 }),
      t: fc.integer({ min: 1, max: 16 }),
      p: fc.integer({ min: 1, max: 16 }),
      salt: base64Of(16, 40),
    }),
    fc
      .record({
        name: fc.constant('scrypt' as const),
        N: fc.integer({ min: 10, max: 22 }).map((log) => 2 ** log),
        r: fc.integer({ min: 1, max: 8 }),
        p: fc.integer({ min: 1, max: 16 }),
        salt: base64Of(16, 40),
      })
      .filter(({ N, r }) => 128 * N * r <= 2 * 1024 ** 3), // the memory ceiling kdf.ts sets
  ),
  cipher: fc.constant('aes-256-gcm' as const),
  created: isoTime,
  label: name,
  wrapped: base64Of(29, 200),
});

export const validWrappedKeys = fc.record({
  repositoryId: hexId,
  dataKey: base64Of(32, 32),
  idKey: base64Of(32, 32),
  chunkerSeed: base64Of(32, 32),
});

/** Pack header entries as the pack writer makes them: contiguous, small enough to back with real bytes. */
export const validPackEntries: fc.Arbitrary<PackEntry[]> = fc
  .array(
    fc.record({
      type: fc.constantFrom('data' as const, 'tree' as const),
      id: hexId,
      length: fc.nat({ max: 200 }),
      rawLength: u32,
    }),
    { maxLength: 6 },
  )
  .map((entries) => {
    let offset = 0;
    return entries.map((e) => {
      const entry = { ...e, offset };
      offset += e.length;
      return entry;
    });
  });

/** Plaintexts for blobs: random (stored raw), repetitive (stored as zstd) and empty. */
export const blobPlaintext: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.integer({ min: 4, max: 5000 }))
    .map(([unit, times]) => Buffer.from(unit.repeat(times))),
  fc.constant(Buffer.alloc(0)),
);

// ---------------------------------------------------------------- mutations

/** Values a hostile or faulty writer might put where another type belongs. */
export const oddJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    '',
    0,
    -1,
    0.5,
    -0.5,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    -(2 ** 53),
    1e308,
    true,
    false,
    [],
    {},
    'a'.repeat(64),
    'A'.repeat(64),
    '0'.repeat(63),
    'not a date',
    '1970-01-01T00:00:00.000Z',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    '\u0000',
    '\ud800',
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

type Container = Record<string, unknown> | unknown[];
interface JsonMutation {
  pick: number;
  op: 'replace' | 'delete' | 'wrap' | 'duplicate';
  value: unknown;
}

const jsonMutation: fc.Arbitrary<JsonMutation> = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('replace', 'delete', 'wrap', 'duplicate'),
  value: oddJson,
});

/** Every (container, key) pair of a JSON value, depth first. */
function slots(value: unknown, out: [Container, string | number][] = []): [Container, string | number][] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([value, i]);
      slots(item, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push([value as Record<string, unknown>, key]);
      slots(item, out);
    }
  }
  return out;
}

function applyJsonMutation(root: unknown, m: JsonMutation): unknown {
  const all = slots(root);
  if (all.length === 0 || m.pick % (all.length + 1) === all.length) {
    // The whole document.
    if (m.op === 'wrap') return [root];
    return m.op === 'replace' || m.op === 'delete' ? m.value : root;
  }
  const [container, key] = all[m.pick % (all.length + 1)] as [Container, string | number];
  const current = (container as Record<string | number, unknown>)[key];
  if (m.op === 'replace') (container as Record<string | number, unknown>)[key] = m.value;
  else if (m.op === 'wrap') (container as Record<string | number, unknown>)[key] = { value: current };
  else if (m.op === 'duplicate' && Array.isArray(container)) container.push(structuredClone(current));
  else if (Array.isArray(container)) container.splice(key as number, 1);
  else delete container[key as string];
  return root;
}

/** A valid structure with up to three of its parts replaced, removed, wrapped or duplicated. */
export function mutatedJson<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.array(jsonMutation, { minLength: 1, maxLength: 3 }))
    .map(([value, mutations]) => mutations.reduce(applyJsonMutation, structuredClone(value) as unknown));
}

interface ByteMutation {
  at: number;
  op: 'flip' | 'set' | 'insert' | 'delete' | 'truncate';
  byte: number;
}

const byteMutation: fc.Arbitrary<ByteMutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate'),
  byte: fc.nat({ max: 255 }),
});

/** Applies byte mutations; positions wrap around the (current) length. */
export function applyByteMutations(input: Uint8Array, mutations: readonly ByteMutation[]): Buffer {
  let bytes = Buffer.from(input);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % bytes.length;
    if (m.op === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([m.byte]), bytes.subarray(at)]);
    else if (bytes.length === 0) continue;
    else if (m.op === 'flip') bytes[at] = (bytes[at] as number) ^ (1 << (m.byte % 8));
    else if (m.op === 'set') bytes[at] = m.byte;
    else if (m.op === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    else bytes = bytes.subarray(0, at);
  }
  return bytes;
}

export const byteMutations = (minLength: number): fc.Arbitrary<ByteMutation[]> =>
  fc.array(byteMutation, { minLength, maxLength: 4 });

/** The JSON text of a mutated structure, sometimes further mutated byte by byte (then rarely JSON). */
export function mutatedDocumentText<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(
      mutatedJson(valid),
      fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: byteMutations(1) }),
    )
    .map(([value, mutations]) =>
      applyByteMutations(Buffer.from(JSON.stringify(value) ?? 'undefined', 'utf8'), mutations),
    );
}

// ---------------------------------------------------------------- hand-made zstd frames

export interface ZstdBlock {
  /** RLE (one byte repeated `size` times, 4 bytes stored) or raw (`size` bytes stored). */
  rle: boolean;
  size: number;
  byte: number;
}

/**
 * A zstd frame built field by field (RFC 8878 §3.1.1): magic, a header that declares the content
 * size (8-byte field) or not, then the blocks, the last one flagged. It reaches what the
 * compressor never writes: frames whose declared size lies, frames without a declared size, and
 * bombs (RLE blocks: 4 bytes each for up to 128 KiB of output).
 */
export function zstdFrame(blocks: readonly ZstdBlock[], declared?: number, windowLog = 17): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd])];
  parts.push(Buffer.from([declared === undefined ? 0x00 : 0xc0, ((windowLog - 10) << 3) & 0xff]));
  if (declared !== undefined) {
    const fcs = Buffer.alloc(8);
    fcs.writeBigUInt64LE(BigInt(declared));
    parts.push(fcs);
  }
  blocks.forEach((b, i) => {
    const header = ((b.size << 3) | ((b.rle ? 1 : 0) << 1) | (i === blocks.length - 1 ? 1 : 0)) >>> 0;
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]));
    parts.push(b.rle ? Buffer.from([b.byte]) : Buffer.alloc(b.size, b.byte));
  });
  return Buffer.concat(parts);
}

/** Hand-made frames (zstdFrame) with lying, missing or huge declared sizes, cut at random sometimes. */
export const handMadeZstd: fc.Arbitrary<Buffer> = fc
  .record({
    declared: fc.option(fc.oneof(fc.nat({ max: 1 << 20 }), fc.constantFrom(2 ** 32 - 1, 2 ** 40, 2 ** 53 - 1)), {
      nil: undefined,
    }),
    windowLog: fc.integer({ min: 10, max: 31 }),
    blocks: fc.array(
      fc.oneof(
        fc.record({ rle: fc.constant(true), size: fc.nat({ max: 128 * 1024 }), byte: fc.nat({ max: 255 }) }),
        fc.record({ rle: fc.constant(false), size: fc.nat({ max: 256 }), byte: fc.nat({ max: 255 }) }),
      ),
      { minLength: 1, maxLength: 40 },
    ),
    truncate: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ declared, windowLog, blocks, truncate }) => {
    const frame = zstdFrame(blocks, declared, windowLog);
    return truncate === undefined ? frame : frame.subarray(0, truncate % (frame.length + 1));
  });
