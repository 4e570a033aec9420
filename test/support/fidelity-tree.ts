/**
 * The fidelity torture tree (issue 26): every kind of entry and attribute this machine can make,
 * one folder per row, and a manifest of a tree (every attribute of every entry, names as bytes)
 * to compare a restore with its source row by row. Rows the machine cannot make (no xattr support,
 * not root) are skipped with their reason. Shared by test/engine/fidelity.test.ts and
 * scripts/fidelity-compare.mjs's Cairn/restic/borg comparison (through tsx).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** One row of the table: what it is, which folder of the tree holds it, and why it was not made. */
export interface FidelityRow {
  id: string;
  what: string;
  /** Set when this machine cannot make the row. */
  skipped?: string;
}

/** Every attribute compared, of one entry; paths are relative, with names as latin1-decoded bytes. */
export interface ManifestEntry {
  type: 'file' | 'dir' | 'symlink' | 'fifo' | 'chardev' | 'blockdev' | 'socket';
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: string;
  /** Files only: a folder's access time changes as soon as it is listed. */
  atimeNs?: string;
  size?: number;
  sha256?: string;
  target?: string;
  rdev?: number;
  /** Sorted `name=hex value` pairs. */
  xattrs: string[];
  /** Files with several names: the first of them (in path order) among the entries compared. */
  linkOf?: string;
  /** Bytes the file takes on disk (st_blocks * 512). */
  diskBytes?: number;
}

export type Manifest = Map<string, ManifestEntry>;

const GiB = 1024 * 1024 * 1024;
const NS_TIME = '2020-01-01 00:00:00.123456789';
const NS_ATIME = '2021-06-15 12:34:56.987654321';

type XattrModule = {
  setAttributeSync(p: string, name: string, value: Uint8Array | string): void;
  listAttributesSync(p: string): string[];
  getAttributeSync(p: string, name: string): Buffer | null;
};

/** The xattr binding when it loads and the file system under `dir` takes `user.*` attributes. */
export async function xattrSupport(dir: string): Promise<{ xattr?: XattrModule; reason?: string }> {
  let xattr: XattrModule;
  try {
    xattr = (await import('@napi-rs/xattr')) as XattrModule;
  } catch (err) {
    return { reason: `@napi-rs/xattr does not load here: ${(err as Error).message}` };
  }
  const probe = path.join(dir, '.xattr-probe');
  fs.writeFileSync(probe, '');
  try {
    xattr.setAttributeSync(probe, 'user.probe', 'x');
    return { xattr };
  } catch (err) {
    return { reason: `the file system does not take user.* attributes: ${(err as Error).message}` };
  } finally {
    fs.rmSync(probe);
  }
}

function touch(p: string, time: string, flags: string[] = []): void {
  execFileSync('touch', ['-h', ...flags, '-d', time, p]);
}

/** Builds the tree under `root` (created empty) and returns its rows, skipped ones with their reason. */
export async function buildFidelityTree(root: string): Promise<FidelityRow[]> {
  fs.mkdirSync(root, { recursive: true });
  const rows: FidelityRow[] = [];
  const row = (id: string, what: string, make: () => string | undefined) => {
    const dir = path.join(root, id);
    fs.mkdirSync(dir);
    const skipped = make();
    rows.push(skipped ? { id, what, skipped } : { id, what });
  };
  const isRoot = process.getuid?.() === 0;
  const { xattr, reason: noXattr } = await xattrSupport(root);

  row('latin1-name', 'a file whose name is not valid UTF-8 (Latin-1 é)', () => {
    fs.writeFileSync(Buffer.concat([Buffer.from(`${root}/latin1-name/caf`), Buffer.from([0xe9])]), 'Latin-1\n');
    return undefined;
  });
  row('hard-links', 'hard links (two names, one inode)', () => {
    fs.writeFileSync(path.join(root, 'hard-links/one'), 'one inode, two names\n'.repeat(100));
    fs.linkSync(path.join(root, 'hard-links/one'), path.join(root, 'hard-links/two'));
    return undefined;
  });
  row('xattrs', 'extended attributes (user.comment, a binary value)', () => {
    const p = path.join(root, 'xattrs/tagged');
    fs.writeFileSync(p, 'tagged\n');
    if (!xattr) return noXattr;
    xattr.setAttributeSync(p, 'user.comment', 'kept with the file');
    xattr.setAttributeSync(p, 'user.binary', Buffer.from([0, 1, 2, 255, 254]));
    fs.mkdirSync(path.join(root, 'xattrs/folder'));
    xattr.setAttributeSync(path.join(root, 'xattrs/folder'), 'user.folder', 'on a folder');
    return undefined;
  });
  row('ns-times', 'modification and access times to the nanosecond', () => {
    const p = path.join(root, 'ns-times/file');
    fs.writeFileSync(p, 'ns\n');
    touch(p, NS_ATIME, ['-a']);
    touch(p, NS_TIME, ['-m']);
    fs.symlinkSync('file', path.join(root, 'ns-times/link'));
    touch(path.join(root, 'ns-times/link'), NS_TIME, ['-m']);
    fs.mkdirSync(path.join(root, 'ns-times/folder'));
    touch(path.join(root, 'ns-times/folder'), NS_TIME, ['-m']);
    return undefined;
  });
  row('sparse', 'a 1 GiB sparse file with one byte of data', () => {
    const p = path.join(root, 'sparse/big.img');
    fs.writeFileSync(p, '');
    fs.truncateSync(p, GiB);
    const fd = fs.openSync(p, 'r+');
    fs.writeSync(fd, Buffer.from('x'), 0, 1, GiB / 2);
    fs.closeSync(fd);
    return undefined;
  });
  row('modes', 'modes (0640, 0755, 0700 folder, sticky 1777 folder)', () => {
    const w = (name: string, mode: number) => {
      fs.writeFileSync(path.join(root, 'modes', name), name);
      fs.chmodSync(path.join(root, 'modes', name), mode);
    };
    w('rw-r-----', 0o640);
    w('rwxr-xr-x', 0o755);
    fs.mkdirSync(path.join(root, 'modes/private'), 0o700);
    fs.chmodSync(path.join(root, 'modes/private'), 0o700);
    fs.mkdirSync(path.join(root, 'modes/sticky'));
    fs.chmodSync(path.join(root, 'modes/sticky'), 0o1777);
    return undefined;
  });
  row('symlinks', 'symlinks (relative, absolute, dangling)', () => {
    fs.writeFileSync(path.join(root, 'symlinks/target.txt'), 'target');
    fs.symlinkSync('target.txt', path.join(root, 'symlinks/relative'));
    fs.symlinkSync('/etc/hostname', path.join(root, 'symlinks/absolute'));
    fs.symlinkSync('../nowhere/at/all', path.join(root, 'symlinks/dangling'));
    return undefined;
  });
  row('nfc-nfd', 'NFC and NFD names side by side', () => {
    fs.writeFileSync(path.join(root, 'nfc-nfd', 'caf\u00e9'), 'NFC');
    fs.writeFileSync(path.join(root, 'nfc-nfd', 'cafe\u0301'), 'NFD');
    return undefined;
  });
  row('newline', 'a name with a newline', () => {
    fs.writeFileSync(path.join(root, 'newline', 'two\nlines'), 'newline');
    return undefined;
  });
  row('long-path', 'a path of about 3,800 characters', () => {
    let dir = path.join(root, 'long-path');
    for (let i = 0; i < 18; i++) {
      dir = path.join(dir, `${String(i).padStart(2, '0')}${'d'.repeat(198)}`);
      fs.mkdirSync(dir);
    }
    fs.writeFileSync(path.join(dir, 'deep.txt'), 'deep');
    return undefined;
  });
  row('empty-folders', 'empty folders', () => {
    fs.mkdirSync(path.join(root, 'empty-folders/a/b/c'), { recursive: true });
    fs.mkdirSync(path.join(root, 'empty-folders/d'));
    return undefined;
  });
  row('folder-times', 'folder times', () => {
    fs.mkdirSync(path.join(root, 'folder-times/old'));
    fs.writeFileSync(path.join(root, 'folder-times/old/inside'), 'x');
    touch(path.join(root, 'folder-times/old'), '2001-02-03 04:05:06');
    touch(path.join(root, 'folder-times'), '2002-03-04 05:06:07');
    return undefined;
  });
  row('dates', '1970 and 2100 dates', () => {
    fs.writeFileSync(path.join(root, 'dates/epoch'), '1970');
    touch(path.join(root, 'dates/epoch'), '@0');
    fs.writeFileSync(path.join(root, 'dates/future'), '2100');
    touch(path.join(root, 'dates/future'), '2100-01-01 00:00:00');
    return undefined;
  });
  row('fifo', 'a FIFO', () => {
    execFileSync('mkfifo', [path.join(root, 'fifo/pipe')]);
    return undefined;
  });
  row('owners', 'owner and group (uid 1234, gid 5678)', () => {
    const p = path.join(root, 'owners/owned');
    fs.writeFileSync(p, 'owned');
    if (!isRoot) return 'needs root to give a file to another owner';
    fs.chownSync(p, 1234, 5678);
    return undefined;
  });
  row('devices', 'a character device (1,3)', () => {
    if (!isRoot) return 'needs root to make a device node';
    execFileSync('mknod', [path.join(root, 'devices/null'), 'c', '1', '3']);
    return undefined;
  });
  // Let every folder's and link's access time settle (the first listing after a change moves it).
  manifest(root, { contents: false });
  return rows;
}

function typeOf(st: fs.BigIntStats): ManifestEntry['type'] {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'chardev';
  if (st.isBlockDevice()) return 'blockdev';
  return 'socket';
}

/** SHA-256 of a file, read with O_NOATIME so that reading it does not change what is compared. */
function hashFile(p: Buffer): string {
  const fd = fs.openSync(p, fs.constants.O_RDONLY | (fs.constants.O_NOATIME ?? 0));
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Every entry below `root` (not root itself), keyed by its relative path with names as bytes
 * (latin1-decoded, so a non-UTF-8 name keeps its bytes). Metadata is read before contents.
 */
export function manifest(root: string, options: { contents?: boolean; xattr?: XattrModule } = {}): Manifest {
  const out: Manifest = new Map();
  const files: [string, Buffer][] = [];
  const byInode = new Map<string, string>();
  const walk = (dir: Buffer, rel: string) => {
    const names = (fs.readdirSync(dir, { encoding: 'buffer' }) as Buffer[]).sort(Buffer.compare);
    for (const name of names) {
      const p = Buffer.concat([dir, Buffer.from('/'), name]);
      const key = rel ? `${rel}/${name.toString('latin1')}` : name.toString('latin1');
      const st = fs.lstatSync(p, { bigint: true });
      const type = typeOf(st);
      const entry: ManifestEntry = {
        type,
        mode: Number(st.mode & 0o7777n),
        uid: Number(st.uid),
        gid: Number(st.gid),
        mtimeNs: String(st.mtimeNs),
        xattrs: [],
      };
      if (type === 'file') {
        entry.atimeNs = String(st.atimeNs);
        entry.size = Number(st.size);
        entry.diskBytes = Number(st.blocks) * 512;
        if (st.nlink > 1n) {
          const inode = `${st.dev}:${st.ino}`;
          entry.linkOf = byInode.get(inode) ?? key;
          if (!byInode.has(inode)) byInode.set(inode, key);
        }
        files.push([key, p]);
      }
      if (type === 'symlink') entry.target = fs.readlinkSync(p, { encoding: 'buffer' }).toString('latin1');
      if (type === 'chardev' || type === 'blockdev') entry.rdev = Number(st.rdev);
      if (options.xattr && type !== 'symlink' && name.toString('utf8').indexOf('\uFFFD') < 0) {
        const x = options.xattr;
        const at = p.toString('utf8');
        entry.xattrs = x
          .listAttributesSync(at)
          .sort()
          .map((n) => `${n}=${(x.getAttributeSync(at, n) ?? Buffer.alloc(0)).toString('hex')}`);
      }
      out.set(key, entry);
      if (type === 'dir') walk(p, key);
    }
  };
  walk(Buffer.from(root), '');
  if (options.contents !== false) for (const [key, p] of files) (out.get(key) as ManifestEntry).sha256 = hashFile(p);
  return out;
}

/** What differs between a row's entries in the source and in the restore; empty when all was kept. */
export function rowDifferences(rowId: string, source: Manifest, restored: Manifest): string[] {
  const problems: string[] = [];
  const inRow = (m: Manifest) => [...m.keys()].filter((k) => k === rowId || k.startsWith(`${rowId}/`));
  const sourceKeys = inRow(source);
  const restoredKeys = new Set(inRow(restored));
  for (const key of sourceKeys) {
    const want = source.get(key) as ManifestEntry;
    const got = restored.get(key);
    if (!got) {
      problems.push(`${printable(key)}: missing`);
      continue;
    }
    restoredKeys.delete(key);
    for (const field of Object.keys(want) as (keyof ManifestEntry)[]) {
      if (field === 'diskBytes') continue;
      if (JSON.stringify(want[field]) !== JSON.stringify(got[field]))
        problems.push(
          `${printable(key)}: ${field} ${JSON.stringify(want[field])} became ${JSON.stringify(got[field])}`,
        );
    }
    // A restore may take less room than the source, never much more (a sparse file stays sparse).
    if (want.diskBytes !== undefined && (got.diskBytes ?? 0) > want.diskBytes + 1024 * 1024)
      problems.push(`${printable(key)}: takes ${got.diskBytes} bytes on disk, the source ${want.diskBytes}`);
  }
  for (const key of restoredKeys) problems.push(`${printable(key)}: not in the source`);
  return problems;
}

function printable(key: string): string {
  return JSON.stringify(Buffer.from(key, 'latin1').toString('utf8'));
}

/** The table printed by the suite: one line per row, kept / lost (first difference) / skipped. */
export function formatTable(rows: FidelityRow[], results: Map<string, string[]>): string {
  const lines = ['| what | Cairn |', '|---|---|'];
  for (const r of rows) {
    const diffs = results.get(r.id) ?? [];
    const verdict = r.skipped ? `skipped: ${r.skipped}` : diffs.length === 0 ? 'kept' : `**lost**: ${diffs[0]}`;
    lines.push(`| ${r.what} | ${verdict} |`);
  }
  return lines.join('\n');
}
