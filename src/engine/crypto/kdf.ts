/**
 * Password-based key derivation for key slots (docs/repository-format.md §3.2): the two KDFs a
 * slot may name, their cost parameters, the bounds every reader accepts, and the derivation.
 *
 * - `argon2id` (RFC 9106, version 0x13): the KDF of new repositories (format version 2). Its
 *   lanes run on parallel threads, and every lane reads blocks of the others, so a guess needs
 *   all `m` KiB at once however it is computed. Computed by @node-rs/argon2 (the argon2-rust
 *   crate over N-API): the default cost takes ~0.45 CPU-seconds here, where the reference C
 *   implementation (the `argon2` package, built for SSE2) took ~0.65; the tests check it against
 *   RFC 9106's vector through @noble/hashes.
 * - `scrypt`: the KDF of format-version-1 repositories, still used for their new slots.
 *
 * The password is normalized to Unicode NFC first; the output is always 32 bytes.
 */
import { scrypt as scryptCallback } from 'node:crypto';
import { createRequire } from 'node:module';
import { CairnError } from '../errors.js';

export interface ScryptCost {
  name: 'scrypt';
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

export interface Argon2idCost {
  name: 'argon2id';
  /** Memory in KiB. */
  m: number;
  /** Passes over the memory. */
  t: number;
  /** Lanes, computed on as many threads. */
  p: number;
}

export type KdfCost = ScryptCost | Argon2idCost;
export type KdfName = KdfCost['name'];
/** A slot's KDF as stored: the cost and the slot's own salt (32 random bytes, base64). */
export type KdfParams = KdfCost & { salt: string };

/**
 * 128 MiB, 3 passes, 4 lanes: RFC 9106's second recommended setting (t=3, p=4) with twice its
 * memory. About 0.25 s on two cores of the development machine.
 */
export const DEFAULT_ARGON2ID: Argon2idCost = { name: 'argon2id', m: 128 * 1024, t: 3, p: 4 };
/** 2^17 × 8 × 128 bytes = 128 MiB of memory, about 0.55–0.7 s on one core here. */
export const DEFAULT_SCRYPT: ScryptCost = { name: 'scrypt', N: 2 ** 17, r: 8, p: 1 };

/** The default cost of a KDF: what new slots of a repository that uses it get. */
export function defaultCost(name: KdfName): KdfCost {
  return name === 'argon2id' ? DEFAULT_ARGON2ID : DEFAULT_SCRYPT;
}

/**
 * Floors keep a slot from claiming a trivial cost (such a slot only fails to open: its wrapped
 * keys were sealed under the cost it was made with); ceilings keep a tampered slot from making
 * opening take gigabytes of memory or minutes.
 */
const MAX_MEMORY = 2 * 1024 * 1024 * 1024;
const SCRYPT_BOUNDS = 'N a power of two from 2^10 to 2^22, r 1-64, p 1-16, at most 2 GiB';
const ARGON2ID_BOUNDS = 'm from 1024 KiB to 2 GiB and at least 8 KiB per lane, t 1-16, p 1-16';

function isIntIn(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** Whether a cost (possibly read from a stored slot) is one every reader accepts. */
export function kdfCostIsValid(cost: unknown): cost is KdfCost {
  const c = cost as Record<string, unknown> | null;
  if (c?.name === 'scrypt') {
    const { N, r, p } = c;
    return (
      isIntIn(N, 2 ** 10, 2 ** 22) &&
      (N & (N - 1)) === 0 &&
      isIntIn(r, 1, 64) &&
      isIntIn(p, 1, 16) &&
      128 * N * r <= MAX_MEMORY
    );
  }
  if (c?.name === 'argon2id') {
    const { m, t, p } = c;
    return isIntIn(p, 1, 16) && isIntIn(m, Math.max(1024, 8 * p), MAX_MEMORY / 1024) && isIntIn(t, 1, 16);
  }
  return false;
}

/** Throws unless the cost is within the bounds every reader accepts. */
export function validateKdfCost(cost: KdfCost): void {
  if (kdfCostIsValid(cost)) return;
  const c = cost as unknown as Record<string, unknown> | null;
  if (c?.name === 'scrypt') {
    throw new CairnError(
      'invalid-argument',
      `scrypt parameters N=${c.N} r=${c.r} p=${c.p} are out of bounds (${SCRYPT_BOUNDS})`,
    );
  }
  if (c?.name === 'argon2id') {
    throw new CairnError(
      'invalid-argument',
      `argon2id parameters m=${c.m} t=${c.t} p=${c.p} are out of bounds (${ARGON2ID_BOUNDS})`,
    );
  }
  throw new CairnError('invalid-argument', `unknown key derivation "${String(c?.name)}" (scrypt or argon2id)`);
}

/** Whether two costs are the same KDF with the same parameters. */
export function sameCost(a: KdfCost, b: KdfCost): boolean {
  if (a.name === 'scrypt' && b.name === 'scrypt') return a.N === b.N && a.r === b.r && a.p === b.p;
  if (a.name === 'argon2id' && b.name === 'argon2id') return a.m === b.m && a.t === b.t && a.p === b.p;
  return false;
}

/** A short description for lists and records, e.g. "argon2id m=131072 KiB t=3 p=4". */
export function describeKdf(cost: KdfCost): string {
  return cost.name === 'scrypt'
    ? `scrypt N=${cost.N} r=${cost.r} p=${cost.p}`
    : `argon2id m=${cost.m} KiB t=${cost.t} p=${cost.p}`;
}

/** The stored form of a cost with a salt, in the field order of the spec. */
export function kdfParams(cost: KdfCost, salt: string): KdfParams {
  return cost.name === 'scrypt'
    ? { name: 'scrypt', N: cost.N, r: cost.r, p: cost.p, salt }
    : { name: 'argon2id', m: cost.m, t: cost.t, p: cost.p, salt };
}

type Argon2Module = typeof import('@node-rs/argon2');
let argon2: Argon2Module | undefined;
/** @node-rs/argon2's `Algorithm.Argon2id` and `Version.V0x13` (const enums, which a bundler cannot inline from a .d.ts). */
const ALGORITHM_ARGON2ID = 2;
const VERSION_0X13 = 1;

/**
 * The 32-byte key `params` derive from `password` (run off the main thread). A derivation that
 * cannot run (most likely: not enough memory) rejects with a CairnError that names the KDF.
 */
export async function deriveKey(password: string, params: KdfParams): Promise<Buffer> {
  try {
    return await derive(password.normalize('NFC'), Buffer.from(params.salt, 'base64'), params);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CairnError('io', `the key derivation (${describeKdf(params)}) failed: ${reason}`, { cause });
  }
}

function derive(secret: string, salt: Buffer, params: KdfParams): Promise<Buffer> {
  if (params.name === 'argon2id') {
    // Loaded on first use: opening a version-1 repository never loads the native module.
    argon2 ??= createRequire(import.meta.url)('@node-rs/argon2') as Argon2Module;
    return argon2.hashRaw(Buffer.from(secret, 'utf8'), {
      algorithm: ALGORITHM_ARGON2ID,
      version: VERSION_0X13,
      memoryCost: params.m,
      timeCost: params.t,
      parallelism: params.p,
      salt,
      outputLen: 32,
    });
  }
  const { N, r, p } = params;
  const maxmem = 128 * N * r * (p + 2) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scryptCallback(secret, salt, 32, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
