/**
 * Turns a repository location typed by a user into a Backend: a plain path, `~/…` or a `file://`
 * URL opens a LocalBackend. Other kinds of storage are refused with a clear message until they
 * exist; `memory:` is for tests only and cannot be opened by location.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalBackend } from './local.js';
import type { Backend } from './types.js';

/** A URL scheme of two or more letters; a single letter followed by `:` is a Windows drive. */
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;

export function openBackend(location: string): Backend {
  if (location.trim() === '') throw new Error('no storage location was given');
  const scheme = SCHEME.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) return new LocalBackend(resolvePath(location));
  if (scheme === 'file') {
    let file: string;
    try {
      file = fileURLToPath(location);
    } catch (err) {
      throw new Error(`'${location}' is not a usable file:// location (${(err as Error).message})`, { cause: err });
    }
    return new LocalBackend(file);
  }
  if (scheme === 'memory') throw new Error("the storage kind 'memory' exists for tests only");
  throw new Error(`storage kind '${scheme}' is not supported yet`);
}

function resolvePath(location: string): string {
  if (location === '~') return os.homedir();
  if (location.startsWith('~/') || location.startsWith(`~${path.sep}`))
    return path.join(os.homedir(), location.slice(2));
  return path.resolve(location);
}
