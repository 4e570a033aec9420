/**
 * Request and response bodies without extra copies: parts given by the caller are sent back to
 * back as they are, and a response is read straight into one buffer of the announced size.
 *
 * Bodies go out as streams on purpose: the SDK signs a Buffer body by hashing it (SHA-256, one
 * more pass over every byte on the CPU the server may share), a stream as UNSIGNED-PAYLOAD
 * (measured: 3.4 instead of 4.4-5.0 ms of client CPU per MiB put). The bytes stay bound to the
 * request all the same: the Content-MD5 sent with every upload is a signed header, the server
 * refuses bytes that do not match it, and the repository authenticates every object it reads.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BackendError } from '../types.js';

export function totalLength(parts: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  return n;
}

/** The base64 MD5 of the parts back to back, as the Content-MD5 header wants it. */
export function md5Base64(parts: readonly Uint8Array[]): string {
  const hash = createHash('md5');
  for (const p of parts) hash.update(p);
  return hash.digest('base64');
}

/** A request body over the parts (no copy). An empty body is an empty array: nothing to stream. */
export function requestBody(parts: readonly Uint8Array[]): Readable | Uint8Array {
  const nonEmpty = parts.filter((p) => p.byteLength > 0);
  if (nonEmpty.length === 0) return new Uint8Array(0);
  return Readable.from(nonEmpty, { objectMode: false });
}

/**
 * Splits parts into consecutive pieces of `size` bytes (the last one shorter) as views into
 * the same memory.
 */
export function splitParts(parts: readonly Uint8Array[], size: number): Uint8Array[][] {
  const pieces: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let room = size;
  for (const part of parts) {
    let at = 0;
    while (at < part.byteLength) {
      const take = Math.min(room, part.byteLength - at);
      current.push(part.subarray(at, at + take));
      at += take;
      room -= take;
      if (room === 0) {
        pieces.push(current);
        current = [];
        room = size;
      }
    }
  }
  if (current.length > 0) pieces.push(current);
  return pieces;
}

/**
 * Reads a response body the server announced as `announced` bytes into a new buffer, keeping
 * only `window` of it when given (a server that ignored a Range header sends the whole object).
 * Fails with 'io' when the body is shorter or longer than announced; destroys the stream on any
 * failure so the socket is not reused half-read.
 */
export async function readBody(
  body: unknown,
  announced: number,
  what: string,
  window: { skip: number; length: number } = { skip: 0, length: announced },
): Promise<Buffer> {
  // allocUnsafeSlow: never a slice of Node's shared pool; every byte is overwritten below.
  const out = Buffer.allocUnsafeSlow(window.length);
  const stream = body as Readable | undefined;
  if (!stream || typeof (stream as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function') {
    if (announced === 0) return out;
    throw new BackendError('io', `the server sent no body for ${what}`);
  }
  const end = window.skip + window.length;
  let seen = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (seen + chunk.length > announced) {
        throw new BackendError('io', `the server sent more than the ${announced} bytes it announced for ${what}`);
      }
      const from = Math.max(window.skip - seen, 0);
      const to = Math.min(end - seen, chunk.length);
      if (to > from) chunk.copy(out, seen + from - window.skip, from, to);
      seen += chunk.length;
    }
  } catch (err) {
    stream.destroy();
    throw err;
  }
  if (seen !== announced) {
    throw new BackendError('io', `the server sent ${seen} of the ${announced} bytes it announced for ${what}`);
  }
  return out;
}

/** Drops a response body unread (refusing an object): the socket is closed rather than drained. */
export function discardBody(body: unknown): void {
  (body as Readable | undefined)?.destroy?.();
}
