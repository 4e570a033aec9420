/**
 * FastCDC's cut-point search (the gear hash loop of fastcdc.ts's `scanCut`) as one WebAssembly
 * function, over a read buffer that lives in the module's memory. The backup worker cuts every
 * large file with it.
 *
 * Why not the JavaScript loop: in a backup, V8 compiled `scanCut` 8 times over (on-stack
 * replacement, then again after each exit it had not seen), ~130 ms of compiler time on a
 * two-core machine, and ran it unoptimized in between. This function is compiled once, in about
 * a millisecond, and runs at the speed of the optimized loop from its first byte: on the 256 MiB
 * benchmark tree the initial backup took 0.28-0.37 CPU-seconds less (docs/performance.md).
 *
 * The JavaScript `scanCut` stays the reference: `chunkBuffer` and `findCut` use it, the scanner
 * falls back to it where WebAssembly is unavailable (`node --jitless`), and the tests check that
 * both give the same chunks.
 *
 * Memory layout: the gear table (256 little-endian uint32) at offset 0, the read buffer from
 * offset 1024. The module is assembled below from its instructions (no build step, no binary
 * blob); its text form:
 *
 *   (module
 *     (import "env" "memory" (memory 1))
 *     (global $h (export "h") (mut i32) (i32.const 0))
 *     ;; Hashes from $i: while $i < $normalEnd testing $maskS, then while $i < $limitEnd testing
 *     ;; $maskL. A hit after hashing the byte at offset p returns p + 1; no hit stores the hash in
 *     ;; $h and returns 0 (offsets are never 0: the data starts at 1024).
 *     (func (export "scan") (param $i i32) (param $normalEnd i32) (param $limitEnd i32)
 *                           (param $h i32) (param $maskS i32) (param $maskL i32) (result i32)
 *       (block $hit
 *         (block $phase2
 *           (loop $small
 *             (br_if $phase2 (i32.ge_s (local.get $i) (local.get $normalEnd)))
 *             STEP (br_if $hit (i32.eqz (i32.and (local.get $h) (local.get $maskS))))
 *             (br $small)))
 *         (loop $large
 *           (if (i32.ge_s (local.get $i) (local.get $limitEnd))
 *             (then (global.set $h (local.get $h)) (return (i32.const 0))))
 *           STEP (br_if $hit (i32.eqz (i32.and (local.get $h) (local.get $maskL))))
 *           (br $large)))
 *       (local.get $i))
 *   ;; STEP: $h = ($h << 1) + gear[mem[$i]]; $i = $i + 1
 *   ;;   (local.set $h (i32.add (i32.shl (local.get $h) (i32.const 1))
 *   ;;     (i32.load (i32.shl (i32.load8_u (local.get $i)) (i32.const 2)))))
 *   ;;   (local.set $i (i32.add (local.get $i) (i32.const 1)))
 */
import { type ChunkerParams, checkGear, maskFor, type ScanState, scanCut } from './fastcdc.js';

/** The parts of the WebAssembly API used here (the engine's TypeScript libraries have no DOM types). */
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
type ScanFunction = (i: number, normalEnd: number, limitEnd: number, h: number, maskS: number, maskL: number) => number;

/** Where the read buffer starts in the module's memory (after the gear table). */
const DATA_OFFSET = 1024;
const PAGE = 65536;

// Instruction and type encodings (WebAssembly core specification, binary format).
const I32 = 0x7f;
const VOID = 0x40;
const FUNC_TYPE = 0x60;
const [BLOCK, LOOP, IF, END, BR, BR_IF, RETURN] = [0x02, 0x03, 0x04, 0x0b, 0x0c, 0x0d, 0x0f];
const [LOCAL_GET, LOCAL_SET, LOCAL_TEE, GLOBAL_SET] = [0x20, 0x21, 0x22, 0x24];
const [I32_LOAD, I32_LOAD8_U, I32_CONST] = [0x28, 0x2d, 0x41];
const [I32_EQZ, I32_GE_S, I32_ADD, I32_AND, I32_SHL] = [0x45, 0x4e, 0x6a, 0x71, 0x74];
// Parameters of the scan function, by index.
const [P_I, P_NORMAL_END, P_LIMIT_END, P_H, P_MASK_S, P_MASK_L] = [0, 1, 2, 3, 4, 5];

/** Unsigned LEB128, the binary format's integer encoding. */
function leb128(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const section = (id: number, content: number[]): number[] => [id, ...leb128(content.length), ...content];
const name = (s: string): number[] => [...leb128(s.length), ...Buffer.from(s, 'ascii')];

/** h = (h << 1) + gear[mem[i]]; i += 1; then leaves (h & mask) == 0 on the stack. */
function step(mask: number): number[] {
  // biome-ignore format: one instruction sequence per line
  return [
    LOCAL_GET, P_H, I32_CONST, 1, I32_SHL,
    LOCAL_GET, P_I, I32_LOAD8_U, 0, 0, I32_CONST, 2, I32_SHL, I32_LOAD, 2, 0,
    I32_ADD, LOCAL_TEE, P_H,
    LOCAL_GET, P_I, I32_CONST, 1, I32_ADD, LOCAL_SET, P_I,
    LOCAL_GET, mask, I32_AND, I32_EQZ,
  ];
}

function moduleBytes(): Uint8Array {
  // biome-ignore format: laid out as the text form in the header
  const body = [
    0, // no locals besides the parameters
    BLOCK, VOID, // $hit
    BLOCK, VOID, // $phase2
    LOOP, VOID, // $small
    LOCAL_GET, P_I, LOCAL_GET, P_NORMAL_END, I32_GE_S, BR_IF, 1,
    ...step(P_MASK_S), BR_IF, 2,
    BR, 0,
    END, // $small
    END, // $phase2
    LOOP, VOID, // $large
    LOCAL_GET, P_I, LOCAL_GET, P_LIMIT_END, I32_GE_S,
    IF, VOID, LOCAL_GET, P_H, GLOBAL_SET, 0, I32_CONST, 0, RETURN, END,
    ...step(P_MASK_L), BR_IF, 1,
    BR, 0,
    END, // $large
    END, // $hit
    LOCAL_GET, P_I,
    END,
  ];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, [1, FUNC_TYPE, 6, I32, I32, I32, I32, I32, I32, 1, I32]), // types
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 1]), // import memory, min 1 page
    ...section(3, [1, 0]), // one function, of type 0
    ...section(6, [1, I32, 1, I32_CONST, 0, END]), // global $h: mutable i32 = 0
    ...section(7, [2, ...name('scan'), 0x00, 0, ...name('h'), 0x03, 0]), // exports
    ...section(10, [1, ...leb128(body.length), ...body]), // code
  ]);
}

let compiled: object | undefined;

/**
 * A read buffer of `bufferSize` bytes (default 2 × maxSize) in WebAssembly memory, and the cut
 * search over it for one set of chunker params and one gear table. One per thread that cuts
 * files; the buffer is reused for every file.
 */
export class GearScanner {
  readonly params: ChunkerParams;
  /** The read buffer: fill it, then ask `findCut` about ranges of it. */
  readonly buffer: Buffer;
  readonly #maskS: number;
  readonly #maskL: number;
  /** The WebAssembly search and its hash global; undefined where WebAssembly is unavailable. */
  readonly #wasm: { scan: ScanFunction; h: { value: number } } | undefined;
  /** The gear table for the JavaScript search, kept only where WebAssembly is unavailable. */
  readonly #gear: Uint32Array | undefined;

  constructor(params: ChunkerParams, gear: Uint32Array, bufferSize = 2 * params.maxSize) {
    const { maskS, maskL } = maskFor(params);
    checkGear(gear);
    if (!Number.isSafeInteger(bufferSize) || bufferSize < params.maxSize) {
      throw new RangeError(`the scan buffer must hold at least maxSize (${params.maxSize}) bytes`);
    }
    this.params = params;
    this.#maskS = maskS | 0;
    this.#maskL = maskL | 0;
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm) {
      this.#gear = Uint32Array.from(gear);
      this.buffer = Buffer.allocUnsafeSlow(bufferSize);
      return;
    }
    const pages = Math.ceil((DATA_OFFSET + bufferSize) / PAGE);
    const memory = new wasm.Memory({ initial: pages, maximum: pages });
    compiled ??= new wasm.Module(moduleBytes());
    const { exports } = new wasm.Instance(compiled, { env: { memory } });
    this.#wasm = { scan: exports.scan as ScanFunction, h: exports.h as { value: number } };
    // Little-endian, as the table's definition says, whatever the host's byte order.
    const table = Buffer.from(memory.buffer, 0, DATA_OFFSET);
    for (let i = 0; i < 256; i++) table.writeUInt32LE(gear[i] as number, 4 * i);
    this.buffer = Buffer.from(memory.buffer, DATA_OFFSET, bufferSize);
  }

  /**
   * `scanCut` on `buffer`: the length of the chunk starting at `start` given the bytes in
   * [start, end), or -1 when more are needed (then `state` records how far the search got).
   * Requires 0 <= start <= state.pos <= end <= buffer.length, or state fresh (pos = start, h = 0).
   */
  findCut(start: number, end: number, eof: boolean, state: ScanState): number {
    const { minSize, avgSize, maxSize } = this.params;
    const maskS = this.#maskS;
    const maskL = this.#maskL;
    const wasm = this.#wasm;
    if (!wasm) {
      const gear = this.#gear as Uint32Array;
      return scanCut(this.buffer, start, end, eof, state, minSize, avgSize, maxSize, maskS, maskL, gear);
    }
    const n = end - start;
    if (n <= minSize) return eof ? n : -1;
    const limit = Math.min(n, maxSize);
    const normal = Math.min(limit, avgSize);
    const from = Math.max(state.pos, start + minSize);
    const base = DATA_OFFSET + start;
    const cut = wasm.scan(DATA_OFFSET + from, base + normal, base + limit, state.h, maskS, maskL);
    if (cut !== 0) return cut - base;
    if (limit === maxSize || eof) return limit;
    state.pos = start + limit;
    state.h = wasm.h.value;
    return -1;
  }
}
