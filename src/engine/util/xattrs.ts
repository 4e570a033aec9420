/**
 * Extended attributes, read on backup and written on restore. Node has no xattr API, so this goes
 * through @napi-rs/xattr: a Node-API binding shipped prebuilt for Linux, macOS and FreeBSD (no
 * compiler needed, and it loads in Electron unchanged). Where its binary does not load (Windows,
 * another platform) extended attributes are not read; `xattrsAvailable()` says so. The binding's
 * list and get do not follow symlinks (llistxattr, lgetxattr); its paths are strings, so an entry
 * whose name is not valid UTF-8 keeps no extended attributes.
 */
import { createRequire } from 'node:module';

/** One extended attribute as a tree records it (docs/repository-format.md §10). */
export interface XattrEntry {
  name: string;
  /** The value, base64. */
  value: string;
}

interface XattrBinding {
  listAttributesSync(p: string): string[];
  getAttributeSync(p: string, name: string): Buffer | null;
  setAttributeSync(p: string, name: string, value: Uint8Array | string): void;
}

let binding: XattrBinding | null | undefined;

function load(): XattrBinding | null {
  if (binding === undefined) {
    try {
      binding = createRequire(import.meta.url)('@napi-rs/xattr') as XattrBinding;
    } catch {
      binding = null;
    }
  }
  return binding;
}

/** Whether this platform's extended attributes can be read and written here. */
export function xattrsAvailable(): boolean {
  return load() !== null;
}

/** An error of a file system that keeps no extended attributes at all (ENOTSUP / EOPNOTSUPP). */
function isUnsupported(err: unknown): boolean {
  return err instanceof Error && /not supported/i.test(err.message);
}

/**
 * The extended attributes of the entry at `p`, sorted by name, values base64; undefined when it has
 * none or its file system keeps none. Attributes outside `user.*` that this user may not read are
 * left out; a `user.*` one that cannot be read is reported through `warn`.
 */
export function readXattrs(p: string, warn: (message: string) => void): XattrEntry[] | undefined {
  const x = load();
  if (!x) return undefined;
  let names: string[];
  try {
    names = x.listAttributesSync(p);
  } catch (err) {
    if (!isUnsupported(err)) warn(`${p}: cannot list its extended attributes: ${(err as Error).message}`);
    return undefined;
  }
  if (names.length === 0) return undefined;
  const out: XattrEntry[] = [];
  for (const name of names.sort()) {
    try {
      const value = x.getAttributeSync(p, name);
      if (value) out.push({ name, value: value.toString('base64') });
    } catch (err) {
      if (name.startsWith('user.')) warn(`${p}: cannot read its extended attribute ${name}: ${(err as Error).message}`);
    }
  }
  return out.length > 0 ? out : undefined;
}

/** Sets each attribute on the entry at `p`; returns one message per attribute that could not be set. */
export function writeXattrs(p: string, entries: readonly XattrEntry[]): string[] {
  const x = load();
  if (!x) return [`its extended attributes cannot be restored on this platform (${entries.length} left out)`];
  const failures: string[] = [];
  for (const { name, value } of entries) {
    try {
      x.setAttributeSync(p, name, Buffer.from(value, 'base64'));
    } catch (err) {
      failures.push(`its extended attribute ${name} was not restored: ${(err as Error).message}`);
    }
  }
  return failures;
}
