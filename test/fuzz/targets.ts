/**
 * The fuzz targets: one per parser of repository bytes, shared by the short run inside `npm test`
 * (parsers.test.ts) and the long run of `npm run fuzz` (run.ts). Each target turns a generated
 * input into the bytes a repository could hold, runs the parser on them, and `checkInput` holds
 * every run to the same properties:
 * - the parser returns, or throws an IntegrityError, CairnError or BackendError with a message
 *   (any other exception, e.g. a TypeError, is a finding);
 * - what it accepts keeps the parser's contract (each target's `accept`: an independent check of
 *   the declared type, so a validator that lets a wrong field through is a finding);
 * - no single Buffer allocation exceeds the target's bound for that input (the size caps), and
 *   no input takes longer than SLOW_INPUT_MS;
 * - round-trip targets: every valid structure is accepted and decodes to what was encoded.
 * Targets after authentication seal their mutated plaintext with TEST_KEY, so it passes the tag
 * check and reaches the structure parsers.
 */

import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { BackendError } from '../../src/engine/backend/types.js';
import { validateChunkerParams } from '../../src/engine/chunker/fastcdc.js';
import { ENVELOPE_OVERHEAD, open, seal } from '../../src/engine/crypto/aead.js';
import { blobId } from '../../src/engine/crypto/ids.js';
import { kdfCostIsValid } from '../../src/engine/crypto/kdf.js';
import { parseKeySlot, parseWrappedKeys } from '../../src/engine/crypto/keys.js';
import { CairnError } from '../../src/engine/errors.js';
import {
  CODEC_ZSTD,
  decodeBlob,
  decodeBlobReusing,
  encodeBlob,
  frameBlob,
  frameParts,
  unframeBlob,
} from '../../src/engine/format/blob-codec.js';
import { type RepositoryConfig, validateConfig } from '../../src/engine/format/config.js';
import { fromStoredIndex, toStoredIndex } from '../../src/engine/format/index-file.js';
import { MAX_BLOB_PLAIN } from '../../src/engine/format/limits.js';
import { parseLockInfo } from '../../src/engine/format/lock-info.js';
import { decodePackHeader, encodePackHeader, type PackEntry } from '../../src/engine/format/pack.js';
import { decodeDocument, encodeDocument } from '../../src/engine/format/sealed-json.js';
import { parseSnapshot } from '../../src/engine/format/snapshot-check.js';
import { decodeTree, encodeTree } from '../../src/engine/format/tree.js';
import {
  applyByteMutations,
  blobPlaintext,
  byteMutations,
  handMadeZstd,
  mutatedDocumentText,
  validConfig,
  validIndex,
  validKeySlot,
  validLock,
  validPackEntries,
  validSnapshot,
  validTree,
  validWrappedKeys,
} from './arbitraries.js';

export const TEST_KEY = Buffer.alloc(32, 0x5a);
export const TEST_ID_KEY = Buffer.alloc(32, 0xa5);
/**
 * An input that takes more CPU time than this is a finding (a parser that can be made to spin).
 * CPU time, not wall time: the machines running this are shared, and a descheduled process
 * is not a slow parser.
 */
export const SLOW_INPUT_MS = 1000;
/** The cap used where a target bounds decompression itself (a small document's). */
const SMALL_CAP = 64 * 1024;
/** Room for the parser's own bookkeeping on top of the input and what it may decode. */
const SLACK = 256 * 1024;

export interface Target<T> {
  name: string;
  phase: 'before authentication' | 'after authentication' | 'round trip';
  input: fc.Arbitrary<T>;
  /** Runs the parser on the input; returns what it accepted. */
  parse(input: T): unknown;
  /** Throws when an accepted result breaks the parser's contract. */
  accept(output: unknown, input: T): void;
  /** The largest single Buffer allocation parsing this input may make. */
  allocationBound(input: T): number;
}

// ---------------------------------------------------------------- the properties

/** The most a zstd payload of `length` bytes can expand to (3-byte blocks of at most 128 KiB). */
const zstdBound = (length: number): number => Math.floor(length / 3) * 128 * 1024;

export class FuzzFinding extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FuzzFinding';
  }
}

function isExpectedRefusal(err: unknown): boolean {
  return (
    (err instanceof CairnError || err instanceof BackendError) &&
    typeof err.message === 'string' &&
    err.message.length > 0
  );
}

/** Records the largest Buffer allocation made through Buffer.alloc/allocUnsafe/allocUnsafeSlow. */
export const allocations = {
  largest: 0,
  installed: false,
  originals: undefined as undefined | Pick<typeof Buffer, 'alloc' | 'allocUnsafe' | 'allocUnsafeSlow'>,
};

export function trackAllocations(): void {
  if (allocations.installed) return;
  const originals = { alloc: Buffer.alloc, allocUnsafe: Buffer.allocUnsafe, allocUnsafeSlow: Buffer.allocUnsafeSlow };
  allocations.originals = originals;
  const wrap = <F extends (size: number, ...rest: never[]) => Buffer>(original: F): F =>
    ((size: number, ...rest: never[]) => {
      if (size > allocations.largest) allocations.largest = size;
      return original.call(Buffer, size, ...rest);
    }) as F;
  Buffer.alloc = wrap(originals.alloc);
  Buffer.allocUnsafe = wrap(originals.allocUnsafe);
  Buffer.allocUnsafeSlow = wrap(originals.allocUnsafeSlow);
  allocations.installed = true;
}

export function untrackAllocations(): void {
  const originals = allocations.originals;
  if (!originals) return;
  Buffer.alloc = originals.alloc;
  Buffer.allocUnsafe = originals.allocUnsafe;
  Buffer.allocUnsafeSlow = originals.allocUnsafeSlow;
  allocations.installed = false;
}

export interface TargetStats {
  runs: number;
  accepted: number;
  refused: number;
  slowestMs: number;
  largestAllocation: number;
}

export function emptyStats(): TargetStats {
  return { runs: 0, accepted: 0, refused: 0, slowestMs: 0, largestAllocation: 0 };
}

/** Runs one input through a target and enforces the properties; throws FuzzFinding on a violation. */
export function checkInput<T>(target: Target<T>, input: T, stats: TargetStats = emptyStats()): void {
  stats.runs++;
  allocations.largest = 0;
  const started = process.cpuUsage();
  let output: unknown;
  let refused: unknown;
  try {
    output = target.parse(input);
  } catch (err) {
    refused = err;
  }
  const cpu = process.cpuUsage(started);
  const elapsed = (cpu.user + cpu.system) / 1000;
  const largest = allocations.largest;
  stats.slowestMs = Math.max(stats.slowestMs, elapsed);
  stats.largestAllocation = Math.max(stats.largestAllocation, largest);
  if (elapsed > SLOW_INPUT_MS)
    throw new FuzzFinding(`${target.name}: one input took ${Math.round(elapsed)} ms of CPU time`);
  const bound = target.allocationBound(input);
  if (largest > bound) {
    throw new FuzzFinding(`${target.name}: allocated ${largest} bytes at once, more than its bound of ${bound}`);
  }
  if (refused !== undefined) {
    if (!isExpectedRefusal(refused)) {
      const what = refused instanceof Error ? `${refused.name}: ${refused.message}` : String(refused);
      throw new FuzzFinding(`${target.name}: crashed with ${what}`, { cause: refused });
    }
    if (target.phase === 'round trip') {
      throw new FuzzFinding(`${target.name}: refused a valid input: ${(refused as Error).message}`, { cause: refused });
    }
    stats.refused++;
    return;
  }
  target.accept(output, input);
  stats.accepted++;
}

// ---------------------------------------------------------------- contract checks

function must(condition: boolean, message: string): asserts condition {
  if (!condition) throw new FuzzFinding(`accepted a value that breaks the contract: ${message}`);
}

type Fields = Record<string, unknown>;
const isObject = (v: unknown): v is Fields => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isHex = (v: unknown): boolean => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
const isTime = (v: unknown): boolean => typeof v === 'string' && !Number.isNaN(new Date(v).getTime());
const isNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isStrList = (v: unknown): boolean => Array.isArray(v) && v.every(isStr);
const optional = (v: unknown, check: (x: unknown) => boolean): boolean => v === undefined || check(v);

function checkIndex(value: unknown): void {
  must(isObject(value) && value.version === 1, 'index version');
  must(Array.isArray(value.supersedes) && value.supersedes.every(isHex), 'index supersedes');
  must(Array.isArray(value.packs), 'index packs');
  for (const pack of value.packs as unknown[]) {
    must(isObject(pack) && isHex(pack.id) && Array.isArray(pack.blobs), 'index pack');
    for (const b of pack.blobs as unknown[]) {
      must(isObject(b) && isHex(b.id) && (b.type === 'data' || b.type === 'tree'), 'index blob id/type');
      must(isCount(b.offset) && isCount(b.length) && isCount(b.rawLength), 'index blob numbers');
    }
  }
}

function checkTree(value: unknown): void {
  must(isObject(value) && Array.isArray(value.nodes), 'tree nodes');
  for (const n of value.nodes as unknown[]) {
    must(isObject(n) && isStr(n.name), 'tree node name');
    must(n.type === 'file' || n.type === 'dir' || n.type === 'symlink', 'tree node type');
    must(Number.isInteger(n.mode) && (n.mode as number) >= 0 && (n.mode as number) <= 0o7777, 'tree node mode');
    must(isNum(n.mtime) && optional(n.ctime, isNum) && optional(n.inode, isNum), 'tree node times');
    must(optional(n.size, isCount), 'tree node size');
    must(
      optional(n.content, (c) => Array.isArray(c) && c.every(isHex)),
      'tree node content',
    );
    must(optional(n.subtree, isHex) && optional(n.target, isStr), 'tree node subtree/target');
  }
}

function checkSnapshot(value: unknown): void {
  must(isObject(value), 'snapshot object');
  must(isTime(value.time) && isStr(value.hostname) && isStr(value.username) && isStr(value.program), 'snapshot names');
  must(isStrList(value.paths) && isStrList(value.tags) && isStrList(value.warnings), 'snapshot lists');
  must(isHex(value.tree) && optional(value.parent, isHex), 'snapshot tree/parent');
  must(isObject(value.summary) && Object.values(value.summary).every(isNum), 'snapshot summary');
  must(typeof value.partial === 'boolean', 'snapshot partial');
  must(
    optional(
      value.erasures,
      (e) => Array.isArray(e) && e.every((x) => isObject(x) && isStr(x.request) && isHex(x.original) && isTime(x.time)),
    ),
    'snapshot erasures',
  );
  must(
    optional(value.repaired, (r) => isObject(r) && isHex(r.original) && isTime(r.time) && isNum(r.removedFiles)),
    'snapshot repaired',
  );
  // What listing does with every snapshot: sort by time.
  must(typeof (value.time as string).localeCompare === 'function', 'snapshot time sorts');
}

function checkLock(value: unknown): void {
  must(isObject(value), 'lock object');
  must(isTime(value.time) && isTime(value.refreshed), 'lock times');
  must(isStr(value.hostname) && isStr(value.operation), 'lock names');
  must(Number.isSafeInteger(value.pid) && (value.pid as number) > 0, 'lock pid (0 and negatives signal groups)');
  must(typeof value.exclusive === 'boolean', 'lock exclusive');
}

function checkConfig(value: unknown): void {
  must(isObject(value) && (value.version === 1 || value.version === 2 || value.version === 3), 'config version');
  must(isHex(value.id) && isStr(value.created), 'config id/created');
  must(isCount(value.packSize) && (value.packSize as number) >= 1, 'config packSize');
  let chunkerOk = true;
  try {
    validateChunkerParams(value.chunker as never);
  } catch {
    chunkerOk = false;
  }
  must(chunkerOk, 'config chunker parameters');
}

function checkPackEntries(entries: unknown, headerStart: number): void {
  must(Array.isArray(entries), 'pack entries');
  let offset = 0;
  for (const e of entries as PackEntry[]) {
    must(isHex(e.id) && (e.type === 'data' || e.type === 'tree'), 'pack entry id/type');
    must(e.offset === offset && isCount(e.length) && e.length <= 0xffffffff && isCount(e.rawLength), 'pack entry');
    offset += e.length;
  }
  must(offset === headerStart, 'pack entries fill the space before the header');
}

// ---------------------------------------------------------------- helpers

/** A sealed document of `purpose` around `text`, framed raw or with zstd as the writer would. */
function sealText(text: Buffer, purpose: 'config' | 'index' | 'snapshot' | 'lock'): Buffer {
  return seal(TEST_KEY, frameBlob(text), purpose);
}

function packWith(entries: readonly PackEntry[], header: Buffer): Buffer {
  const blobs = Buffer.alloc(
    entries.reduce((n, e) => n + e.length, 0),
    0x11,
  );
  return Buffer.concat([blobs, header]);
}

const byInput = (input: { length: number }) => 2 * input.length + SLACK;

// ---------------------------------------------------------------- targets before authentication

const envelope: Target<{ original: Buffer; mutated: Buffer }> = {
  name: 'envelope (aead open)',
  phase: 'before authentication',
  input: fc
    .tuple(fc.uint8Array({ maxLength: 200 }), byteMutations(0), fc.boolean())
    .map(([plain, mutations, random]) => {
      const original = seal(TEST_KEY, plain, 'blob');
      return { original, mutated: random ? Buffer.from(plain) : applyByteMutations(original, mutations) };
    }),
  parse: ({ mutated }) => open(TEST_KEY, mutated, 'blob', 'fuzzed envelope'),
  accept: (_output, { original, mutated }) => must(mutated.equals(original), 'a modified envelope opened'),
  allocationBound: ({ mutated }) => byInput(mutated),
};

const packFraming: Target<Buffer> = {
  name: 'pack trailer and header length (decodePackHeader)',
  phase: 'before authentication',
  input: fc.oneof(
    fc.tuple(validPackEntries, byteMutations(1), fc.boolean()).map(([entries, mutations, tailOnly]) => {
      const pack = packWith(entries, encodePackHeader(TEST_KEY, entries));
      if (!tailOnly) return applyByteMutations(pack, mutations);
      // Mutate only the trailer and the header's last bytes: the length field is what is read first.
      const cut = Math.max(0, pack.length - 8);
      return Buffer.concat([pack.subarray(0, cut), applyByteMutations(pack.subarray(cut), mutations)]);
    }),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  ),
  parse: (pack) => decodePackHeader(TEST_KEY, pack, 'fuzzed pack'),
  accept: (output, pack) => {
    const headerLength = pack.length >= 4 ? pack.readUInt32LE(pack.length - 4) : 0;
    checkPackEntries(output, pack.length - 4 - headerLength);
  },
  allocationBound: byInput,
};

const keySlot: Target<Buffer> = {
  name: 'key slot JSON (parseKeySlot)',
  phase: 'before authentication',
  input: mutatedDocumentText(validKeySlot),
  parse: (bytes) => parseKeySlot(bytes, 'fuzzed key slot'),
  accept: (slot) => {
    const s = slot as Fields;
    must(s.version === 1 && s.cipher === 'aes-256-gcm' && kdfCostIsValid(s.kdf), 'key slot version/cipher/kdf');
    must(
      isStr((s.kdf as unknown as Fields).salt) && isStr(s.wrapped) && isStr(s.label) && isStr(s.created),
      'key slot strings',
    );
  },
  allocationBound: byInput,
};

// ---------------------------------------------------------------- targets after authentication

const packEntries: Target<{ entries: PackEntry[]; plain: Buffer }> = {
  name: 'pack header entries (decodePackHeader, sealed)',
  phase: 'after authentication',
  input: fc.tuple(validPackEntries, byteMutations(1)).map(([entries, mutations]) => {
    const sealed = encodePackHeader(TEST_KEY, entries);
    const plain = open(TEST_KEY, sealed.subarray(0, sealed.length - 4), 'pack-header');
    return { entries, plain: applyByteMutations(plain, mutations) };
  }),
  parse: ({ entries, plain }) => {
    const sealed = seal(TEST_KEY, plain, 'pack-header');
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32LE(sealed.length);
    return decodePackHeader(TEST_KEY, packWith(entries, Buffer.concat([sealed, trailer])), 'fuzzed pack');
  },
  accept: (output, { entries }) =>
    checkPackEntries(
      output,
      entries.reduce((n, e) => n + e.length, 0),
    ),
  allocationBound: ({ plain, entries }) => byInput(plain) + entries.reduce((n, e) => n + e.length, 0),
};

const wrappedKeys: Target<Buffer> = {
  name: 'unwrapped key set (parseWrappedKeys)',
  phase: 'after authentication',
  input: mutatedDocumentText(validWrappedKeys),
  parse: (bytes) => parseWrappedKeys(open(TEST_KEY, seal(TEST_KEY, bytes, 'key-slot'), 'key-slot')),
  accept: (keys) => {
    const k = keys as Fields;
    must(isHex(k.repositoryId), 'key set repository id');
    for (const key of ['dataKey', 'idKey', 'chunkerSeed']) must((k[key] as Buffer).length === 32, `key set ${key}`);
  },
  allocationBound: byInput,
};

function documentTarget(
  name: string,
  purpose: 'config' | 'index' | 'snapshot' | 'lock',
  text: fc.Arbitrary<Buffer>,
  validate: (value: unknown, what: string) => unknown,
  check: (value: unknown) => void,
): Target<Buffer> {
  return {
    name,
    phase: 'after authentication',
    input: text,
    parse: (bytes) => validate(decodeDocument(TEST_KEY, sealText(bytes, purpose), purpose, `fuzzed ${purpose}`), name),
    accept: check,
    allocationBound: byInput,
  };
}

const storedIndex = validIndex.map(toStoredIndex);

const config = documentTarget(
  'config (validateConfig)',
  'config',
  mutatedDocumentText(validConfig),
  (v) => validateConfig(v as RepositoryConfig),
  checkConfig,
);
const index = documentTarget(
  'index file (fromStoredIndex)',
  'index',
  mutatedDocumentText(storedIndex),
  (v, what) => fromStoredIndex(v as never, what),
  checkIndex,
);
const snapshot = documentTarget(
  'snapshot (parseSnapshot)',
  'snapshot',
  mutatedDocumentText(validSnapshot),
  parseSnapshot,
  checkSnapshot,
);
const lock = documentTarget('lock (parseLockInfo)', 'lock', mutatedDocumentText(validLock), parseLockInfo, checkLock);

const tree: Target<Buffer> = {
  name: 'tree (decodeBlob + decodeTree)',
  phase: 'after authentication',
  input: mutatedDocumentText(validTree),
  parse: (plain) => {
    const id = blobId(TEST_ID_KEY, plain);
    return decodeTree(decodeBlob(TEST_KEY, TEST_ID_KEY, encodeBlob(TEST_KEY, plain), id, plain.length), 'fuzzed tree');
  },
  accept: checkTree,
  allocationBound: byInput,
};

interface FrameInput {
  frame: Buffer;
  rawLength: number | undefined;
  cap: number;
}

/** A blob frame: the writer's (then mutated) or a hand-made zstd frame, with the length an index would record. */
const frameInput: fc.Arbitrary<FrameInput> = fc
  .tuple(
    fc.oneof(
      fc.tuple(blobPlaintext, byteMutations(0)).map(([plain, mutations]) => ({
        frame: applyByteMutations(Buffer.concat(frameParts(plain)), mutations),
        length: plain.length,
      })),
      handMadeZstd.map((zstd) => ({ frame: Buffer.concat([Buffer.from([CODEC_ZSTD]), zstd]), length: 0 })),
    ),
    fc.oneof(fc.constant('actual'), fc.constant('none'), fc.nat({ max: 2 ** 32 })),
    fc.constantFrom(SMALL_CAP, 1024 * 1024),
  )
  .map(([{ frame, length }, raw, cap]) => ({
    frame,
    rawLength: raw === 'none' ? undefined : raw === 'actual' ? length : raw,
    cap,
  }));

/**
 * What decoding a frame may allocate: the cap (unframeBlob) and the recorded length (decodeBlob),
 * or without one the largest blob, never more than zstd can expand to; twice that, as decodeBlobReusing grows the buffers it keeps
 * by doubling.
 */
function frameBound({ frame, rawLength, cap }: FrameInput): number {
  const limit = rawLength === undefined ? MAX_BLOB_PLAIN : Math.max(rawLength, cap);
  return 2 * (byInput(frame) + Math.min(limit, zstdBound(frame.length)));
}

const blobFrame: Target<FrameInput> = {
  name: 'blob frame (unframeBlob, decodeBlob, decodeBlobReusing)',
  phase: 'after authentication',
  input: frameInput,
  parse: ({ frame, rawLength, cap }) => {
    const stored = seal(TEST_KEY, frame, 'blob');
    // The id of what the frame holds, when it holds anything: so decoding reaches the length checks.
    let plain: Buffer | undefined;
    try {
      plain = Buffer.from(unframeBlob(frame, 'fuzzed frame', cap));
    } catch (err) {
      if (!isExpectedRefusal(err)) throw err;
    }
    const id = plain ? blobId(TEST_ID_KEY, plain) : '0'.repeat(64);
    if (rawLength === undefined) return { plain, decoded: decodeBlob(TEST_KEY, TEST_ID_KEY, stored, id) };
    const decoded = decodeBlob(TEST_KEY, TEST_ID_KEY, stored, id, rawLength);
    const reused = decodeBlobReusing(TEST_KEY, TEST_ID_KEY, stored, id, rawLength);
    return { plain, decoded, reused: Buffer.from(reused) };
  },
  accept: (output, { rawLength, cap }) => {
    const { plain, decoded, reused } = output as { plain?: Buffer; decoded: Buffer; reused?: Buffer };
    if (plain) must(plain.length <= cap, 'unframeBlob stays within its cap');
    if (rawLength !== undefined) must(decoded.length === rawLength, 'decodeBlob returns exactly the recorded length');
    if (reused) must(reused.equals(decoded), 'decodeBlobReusing agrees with decodeBlob');
  },
  allocationBound: frameBound,
};

const documentFrame: Target<Buffer> = {
  name: 'document frame (decodeDocument, zstd bombs)',
  phase: 'after authentication',
  input: handMadeZstd,
  parse: (zstd) =>
    decodeDocument(TEST_KEY, seal(TEST_KEY, Buffer.concat([Buffer.from([CODEC_ZSTD]), zstd]), 'lock'), 'lock', 'x'),
  accept: () => undefined, // any JSON value: the lock check comes after (lock target)
  allocationBound: (zstd) => byInput(zstd) + Math.min(SMALL_CAP, zstdBound(zstd.length)),
};

// ---------------------------------------------------------------- round trips

function roundTrip<T>(name: string, input: fc.Arbitrary<T>, trip: (value: T) => unknown): Target<T> {
  return {
    name: `${name} round trip`,
    phase: 'round trip',
    input,
    parse: trip,
    accept: (output, value) => {
      // Compared as JSON holds them (key order aside): what was encoded is what is stored.
      const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v) ?? 'null');
      must(isDeepStrictEqual(asJson(output), asJson(value)), `${name} decodes to what was encoded`);
    },
    allocationBound: () => Number.POSITIVE_INFINITY,
  };
}

const roundTrips: Target<never>[] = [
  roundTrip('pack header', validPackEntries, (entries) =>
    decodePackHeader(TEST_KEY, packWith(entries, encodePackHeader(TEST_KEY, entries)), 'pack'),
  ),
  roundTrip('index file', validIndex, (value) =>
    fromStoredIndex(
      decodeDocument(TEST_KEY, encodeDocument(TEST_KEY, toStoredIndex(value), 'index'), 'index', 'i'),
      'i',
    ),
  ),
  roundTrip('tree', validTree, (value) => {
    const plain = encodeTree(value);
    const id = blobId(TEST_ID_KEY, plain);
    return decodeTree(decodeBlob(TEST_KEY, TEST_ID_KEY, encodeBlob(TEST_KEY, plain), id, plain.length), 't');
  }),
  roundTrip('snapshot', validSnapshot, (value) =>
    parseSnapshot(decodeDocument(TEST_KEY, encodeDocument(TEST_KEY, value, 'snapshot'), 'snapshot', 's'), 's'),
  ),
  roundTrip('lock', validLock, (value) =>
    parseLockInfo(decodeDocument(TEST_KEY, encodeDocument(TEST_KEY, value, 'lock'), 'lock', 'l'), 'l'),
  ),
  roundTrip('config', validConfig, (value) =>
    validateConfig(decodeDocument(TEST_KEY, encodeDocument(TEST_KEY, value, 'config'), 'config', 'c')),
  ),
  roundTrip('key slot', validKeySlot, (value) => parseKeySlot(Buffer.from(JSON.stringify(value)), 'k')),
  roundTrip('key set', validWrappedKeys, (value) => {
    const keys = parseWrappedKeys(Buffer.from(JSON.stringify(value)));
    return {
      ...keys,
      dataKey: keys.dataKey.toString('base64'),
      idKey: keys.idKey.toString('base64'),
      chunkerSeed: keys.chunkerSeed.toString('base64'),
    };
  }),
  roundTrip('blob', blobPlaintext, (plain) => {
    const id = blobId(TEST_ID_KEY, plain);
    const stored = encodeBlob(TEST_KEY, plain);
    const whole = decodeBlob(TEST_KEY, TEST_ID_KEY, stored, id);
    const exact = decodeBlob(TEST_KEY, TEST_ID_KEY, stored, id, plain.length);
    const reused = decodeBlobReusing(TEST_KEY, TEST_ID_KEY, stored, id, plain.length);
    if (!whole.equals(plain) || !exact.equals(plain) || !reused.equals(plain)) return 'different bytes';
    if (stored.length > plain.length + 1 + ENVELOPE_OVERHEAD) return 'stored blob larger than its raw frame';
    return plain;
  }),
] as Target<never>[];

/** Every target, the parsers of repository bytes first, then the round trips of valid structures. */
export const TARGETS: Target<never>[] = [
  envelope,
  packFraming,
  keySlot,
  packEntries,
  wrappedKeys,
  config,
  index,
  tree,
  snapshot,
  lock,
  blobFrame,
  documentFrame,
  ...roundTrips,
] as Target<never>[];
