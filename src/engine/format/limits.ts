/**
 * Size caps: the largest object of each kind the repository reads (repo/capped-backend.ts passes
 * them to every backend load), and the largest plaintext each decoder may produce. A repository file or a decompressed frame above its cap is damage or an
 * attack (a 40-byte zstd frame can claim gigabytes), so it is refused before its bytes are
 * read or allocated. Every cap is the most a writer of this format can legitimately produce,
 * derived below, so no repository Cairn wrote is ever refused by one.
 * (docs/repository-format.md §2, "Size caps", records the same table.)
 */
import type { ObjectKind } from '../backend/types.js';
import { MAX_CHUNK_MAX_SIZE } from '../chunker/fastcdc.js';
import { ENVELOPE_OVERHEAD, type ObjectPurpose } from '../crypto/aead.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** A framed plaintext is stored in its length plus this (codec byte and envelope). */
const FRAME_OVERHEAD = 1 + ENVELOPE_OVERHEAD;

/**
 * V8's longest string (`buffer.constants.MAX_STRING_LENGTH` on 64-bit, Node 20 and Electron
 * alike): JSON.stringify cannot write, and JSON.parse cannot read, a document longer than this.
 */
export const MAX_JSON_CHARS = 2 ** 29 - 24;

/** Config, key slots and locks: a few hundred bytes of JSON each; 64 KiB leaves room for a long label. */
export const MAX_SMALL_DOCUMENT = 64 * KiB;
/** A snapshot: its summary, the backed-up paths, at most 1000 warnings and the erasure list. */
export const MAX_SNAPSHOT_PLAIN = 64 * MiB;
/** An index file is ASCII JSON (hex ids and numbers): one character per byte, one string at most. */
export const MAX_INDEX_PLAIN = MAX_JSON_CHARS;
/** Tombstones (erasure records kept in the repository): a list of paths, like a snapshot. */
export const MAX_TOMBSTONE_PLAIN = 64 * MiB;

/** A data blob is one chunk, and no chunker setting allows chunks above 64 MiB. */
export const MAX_DATA_BLOB_PLAIN = MAX_CHUNK_MAX_SIZE;
/**
 * A tree is the JSON of one directory: at most MAX_JSON_CHARS UTF-16 units, each at most 3 bytes
 * of UTF-8 (a surrogate pair, two units, is 4). 1.5 GiB: the largest blob a backup can write.
 */
export const MAX_TREE_PLAIN = 3 * 512 * MiB;
/** The decompression bound of a blob whose plaintext length is not known (the largest blob). */
export const MAX_BLOB_PLAIN = Math.max(MAX_DATA_BLOB_PLAIN, MAX_TREE_PLAIN);

/** The largest `packSize` a config may set (the default is 16 MiB). */
export const MAX_PACK_SIZE_SETTING = 128 * MiB;
/** The target size of tree packs (repository.ts and prune.ts write trees to packs of this size). */
export const TREE_PACK_TARGET = 4 * MiB;

/**
 * The largest pack a writer closing packs at `target` bytes can write when its largest stored
 * blob takes `largestBlob` bytes: the blobs before the last sum to less than `target`, each
 * takes at least FRAME_OVERHEAD bytes (so there are at most (target - 1) / FRAME_OVERHEAD + 1 of
 * them), and the header holds 41 bytes per blob, its version byte, its envelope and the
 * 4-byte length trailer.
 */
export function largestPack(target: number, largestBlob: number): number {
  const blobs = Math.floor((target - 1) / FRAME_OVERHEAD) + 1;
  return target - 1 + largestBlob + 1 + 41 * blobs + ENVELOPE_OVERHEAD + 4;
}

/** Stored size caps by kind; a pack's is the larger of a data pack's and a tree pack's. */
export const OBJECT_SIZE_CAPS: Readonly<Record<ObjectKind, number>> = {
  config: MAX_SMALL_DOCUMENT + FRAME_OVERHEAD,
  keys: MAX_SMALL_DOCUMENT,
  locks: MAX_SMALL_DOCUMENT + FRAME_OVERHEAD,
  snapshots: MAX_SNAPSHOT_PLAIN + FRAME_OVERHEAD,
  index: MAX_INDEX_PLAIN + FRAME_OVERHEAD,
  data: Math.max(
    largestPack(MAX_PACK_SIZE_SETTING, MAX_DATA_BLOB_PLAIN + FRAME_OVERHEAD),
    largestPack(TREE_PACK_TARGET, MAX_TREE_PLAIN + FRAME_OVERHEAD),
  ),
};

/** The purposes whose plaintext is a framed JSON document (sealed-json.ts). */
export type DocumentPurpose = Extract<ObjectPurpose, 'config' | 'index' | 'snapshot' | 'lock' | 'tombstone'>;

/** Decompression bound of each kind of sealed document. */
export const DOCUMENT_PLAIN_CAPS: Readonly<Record<DocumentPurpose, number>> = {
  config: MAX_SMALL_DOCUMENT,
  lock: MAX_SMALL_DOCUMENT,
  snapshot: MAX_SNAPSHOT_PLAIN,
  index: MAX_INDEX_PLAIN,
  tombstone: MAX_TOMBSTONE_PLAIN,
};
