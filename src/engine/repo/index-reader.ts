/**
 * Reading one index file: its name must be the SHA-256 of its bytes, then it is authenticated,
 * decompressed and parsed, as objects (check, prune, repair) or in the compact form the session
 * index is built from (format/index-compact.ts).
 */
import type { Backend } from '../backend/types.js';
import { sha256Hex } from '../crypto/ids.js';
import { IntegrityError } from '../errors.js';
import { type CompactIndex, parseCompactIndex } from '../format/index-compact.js';
import { fromStoredIndex, type IndexFile } from '../format/index-file.js';
import { decodeDocument, openDocument } from '../format/sealed-json.js';

async function loadChecked(backend: Backend, id: string, what: string): Promise<Buffer> {
  const stored = await backend.load({ kind: 'index', id });
  if (sha256Hex(stored) !== id) throw new IntegrityError(`${what} does not match its name`);
  return stored;
}

export async function readIndexFile(backend: Backend, dataKey: Uint8Array, id: string): Promise<IndexFile> {
  const what = `index file ${id.slice(0, 8)}`;
  const stored = await loadChecked(backend, id, what);
  return fromStoredIndex(decodeDocument(dataKey, stored, 'index', what), what);
}

export async function readCompactIndex(backend: Backend, dataKey: Uint8Array, id: string): Promise<CompactIndex> {
  const what = `index file ${id.slice(0, 8)}`;
  const stored = await loadChecked(backend, id, what);
  return parseCompactIndex(openDocument(dataKey, stored, 'index', what), what);
}
