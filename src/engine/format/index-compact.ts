/**
 * Index files read for the session index, in a compact form: blob ids as raw 32-bit words and
 * the numbers in typed arrays, never one object (or one string) per blob. A repository of ten
 * million chunks has ~1 GB of index JSON, and JSON.parse plus an object per entry costs more
 * time than decrypting and decompressing it (docs/performance.md, "The index at ten million
 * chunks"). `parseCompactIndex` scans the bytes as toStoredIndex and JSON.stringify write them;
 * anything else (white space, another key order, an escape) goes through JSON.parse and the same
 * validation as `fromStoredIndex`, so every valid index file reads the same either way.
 */
import { IntegrityError } from '../errors.js';
import { fromStoredIndex, type IndexFile } from './index-file.js';

export interface CompactIndex {
  supersedes: string[];
  packs: string[];
  /** Blobs of each pack, in the order of `packs`. */
  counts: Uint32Array;
  /** Per blob, its id as 8 big-endian 32-bit words. */
  ids: Uint32Array;
  /** Per blob: 0 data, 1 tree. */
  types: Uint8Array;
  /** Per blob: offset, length, raw length. */
  values: Uint32Array;
}

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const HEAD = bytes('{"version":1,"supersedes":[');
const PACKS = bytes(',"packs":[');
const PACK_ID = bytes('{"id":"');
const BLOBS = bytes('","blobs":[');
/** The shortest stored blob entry with its comma: ["<64 hex>",0,0,0,0], */
const SHORTEST_ENTRY = 76;

/** Thrown inside the scanner when the bytes are not in the shape it reads; caught below. */
class NotCanonical extends Error {}

class Scanner {
  at = 0;
  constructor(private readonly b: Uint8Array) {}

  expect(text: Uint8Array): void {
    const b = this.b;
    if (this.at + text.length > b.length) throw new NotCanonical();
    for (let i = 0; i < text.length; i++) if (b[this.at + i] !== text[i]) throw new NotCanonical();
    this.at += text.length;
  }

  byte(): number {
    if (this.at >= this.b.length) throw new NotCanonical();
    return this.b[this.at++]!;
  }

  /** 64 lowercase hex characters as 8 words into `out` at `to`. */
  hexWords(out: Uint32Array, to: number): void {
    const b = this.b;
    let at = this.at;
    if (at + 64 > b.length) throw new NotCanonical();
    for (let w = 0; w < 8; w++) {
      let v = 0;
      for (let i = 0; i < 8; i++) {
        const d = HEX[b[at++]!]!;
        if (d < 0) throw new NotCanonical();
        v = (v << 4) | d;
      }
      out[to + w] = v;
    }
    this.at = at;
  }

  /** 64 lowercase hex characters as a string. */
  hexString(): string {
    const start = this.at;
    if (start + 64 > this.b.length) throw new NotCanonical();
    for (let i = start; i < start + 64; i++) if (HEX[this.b[i]!]! < 0) throw new NotCanonical();
    this.at += 64;
    return Buffer.from(this.b.buffer, this.b.byteOffset + start, 64).toString('latin1');
  }

  /** A whole number in 32 bits, written as JSON writes it (no sign, no leading zero, no exponent). */
  u32(): number {
    const b = this.b;
    const start = this.at;
    let v = 0;
    while (this.at < b.length) {
      const c = b[this.at]!;
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      this.at++;
    }
    const digits = this.at - start;
    if (digits === 0 || digits > 10 || (digits > 1 && b[start] === 48) || v > 0xffff_ffff) throw new NotCanonical();
    return v;
  }
}

function scan(plain: Uint8Array): CompactIndex {
  const s = new Scanner(plain);
  s.expect(HEAD);
  const supersedes: string[] = [];
  if (plain[s.at] === 93) s.at++;
  else {
    for (;;) {
      if (s.byte() !== 34) throw new NotCanonical();
      supersedes.push(s.hexString());
      if (s.byte() !== 34) throw new NotCanonical();
      const c = s.byte();
      if (c === 93) break;
      if (c !== 44) throw new NotCanonical();
    }
  }
  s.expect(PACKS);
  const most = Math.floor(plain.length / SHORTEST_ENTRY) + 1;
  const ids = new Uint32Array(most * 8);
  const types = new Uint8Array(most);
  const values = new Uint32Array(most * 3);
  const packs: string[] = [];
  const counts: number[] = [];
  let n = 0;
  if (plain[s.at] === 93) s.at++;
  else {
    for (;;) {
      s.expect(PACK_ID);
      packs.push(s.hexString());
      s.expect(BLOBS);
      const first = n;
      if (plain[s.at] === 93) s.at++;
      else {
        for (;;) {
          if (s.byte() !== 91 || s.byte() !== 34 || n >= most) throw new NotCanonical();
          s.hexWords(ids, n * 8);
          if (s.byte() !== 34 || s.byte() !== 44) throw new NotCanonical();
          const type = s.byte() - 48;
          if ((type !== 0 && type !== 1) || s.byte() !== 44) throw new NotCanonical();
          types[n] = type;
          values[n * 3] = s.u32();
          if (s.byte() !== 44) throw new NotCanonical();
          values[n * 3 + 1] = s.u32();
          if (s.byte() !== 44) throw new NotCanonical();
          values[n * 3 + 2] = s.u32();
          if (s.byte() !== 93) throw new NotCanonical();
          n++;
          const c = s.byte();
          if (c === 93) break;
          if (c !== 44) throw new NotCanonical();
        }
      }
      counts.push(n - first);
      if (s.byte() !== 125) throw new NotCanonical();
      const c = s.byte();
      if (c === 93) break;
      if (c !== 44) throw new NotCanonical();
    }
  }
  if (s.byte() !== 125 || s.at !== plain.length) throw new NotCanonical();
  return {
    supersedes,
    packs,
    counts: Uint32Array.from(counts),
    // Copies: the scan sized its arrays for the most entries the bytes could hold.
    ids: ids.slice(0, n * 8),
    types: types.slice(0, n),
    values: values.slice(0, n * 3),
  };
}

/** The compact form of an index file already read as objects. */
export function compactIndex(index: IndexFile): CompactIndex {
  let total = 0;
  for (const p of index.packs) total += p.blobs.length;
  const ids = new Uint32Array(total * 8);
  const types = new Uint8Array(total);
  const values = new Uint32Array(total * 3);
  const word = Buffer.alloc(32);
  let n = 0;
  for (const p of index.packs) {
    for (const b of p.blobs) {
      word.write(b.id, 'hex');
      for (let w = 0; w < 8; w++) ids[n * 8 + w] = word.readUInt32BE(w * 4);
      types[n] = b.type === 'tree' ? 1 : 0;
      values.set([b.offset, b.length, b.rawLength], n * 3);
      n++;
    }
  }
  return {
    supersedes: index.supersedes,
    packs: index.packs.map((p) => p.id),
    counts: Uint32Array.from(index.packs, (p) => p.blobs.length),
    ids,
    types,
    values,
  };
}

/**
 * Reads the plaintext of an index file into the compact form; throws IntegrityError (naming
 * `what`) when it is not a valid version-1 index.
 */
export function parseCompactIndex(plain: Buffer, what: string): CompactIndex {
  try {
    return scan(plain);
  } catch (err) {
    if (!(err instanceof NotCanonical)) throw err;
  }
  let stored: Parameters<typeof fromStoredIndex>[0];
  try {
    stored = JSON.parse(plain.toString('utf8'));
  } catch (cause) {
    throw new IntegrityError(`${what} is not valid JSON`, { cause });
  }
  return compactIndex(fromStoredIndex(stored, what));
}
