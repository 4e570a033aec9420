/**
 * The source tree the torture run backs up, and the manifests that say what each recovery point
 * must restore to. The tree holds text and binary files of many sizes, a few files larger than
 * 1 MiB (so FastCDC cuts them into several chunks), an empty file, nested folders and symlinks
 * (one dangling), with varied permission bits. Between backups it changes the way a user's files
 * do: files are added, rewritten, edited in the middle (a large file keeps most of its chunks),
 * deleted, their modes and link targets changed. Every name is used once, so a path erased from
 * the repository never comes back with other content.
 *
 * A manifest maps each path below the root to its type, mode, size and SHA-256 (files) or target
 * (symlinks); `differences` compares a restored folder's manifest with the expected one.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { bytesFor } from './rng.mjs';

const MiB = 1024 * 1024;
const KiB = 1024;
const FILE_MODES = [0o644, 0o600, 0o640, 0o755];
const WORDS =
  'backup restore cairn stone path river mountain archive chunk pack index snapshot recovery point folder file note draft photo invoice letter summer winter garden'.split(
    ' ',
  );
const FOLDERS = ['docs', 'media', 'deep/a/b', 'big', 'projects/x'];

/**
 * How much the tree holds: `files` small and medium files, `large` files of largeMin..largeMax
 * bytes, up to `changes` changes between backups; and how many recovery points forget keeps
 * (each is restored after every kill, so it sets much of a run's time).
 */
export const SCALES = {
  short: { files: 18, large: 2, largeMin: 1.2 * MiB, largeMax: 2.5 * MiB, changes: 4, keepLast: 2 },
  full: { files: 40, large: 4, largeMin: 1.5 * MiB, largeMax: 5 * MiB, changes: 8, keepLast: 3 },
};

export class SourceTree {
  /**
   * @param {string} root the folder to create and change
   * @param {import('./rng.mjs').Rng} rng
   * @param {typeof SCALES.short} scale
   */
  constructor(root, rng, scale) {
    this.root = root;
    this.rng = rng;
    this.scale = scale;
    this.generation = 0;
  }

  /** A new, never used name in `folder`. */
  newName(folder, ext) {
    this.generation++;
    return path.posix.join(folder, `f${this.generation}.${ext}`);
  }

  async create() {
    for (const folder of FOLDERS) await fs.mkdir(path.join(this.root, folder), { recursive: true, mode: 0o755 });
    await fs.chmod(path.join(this.root, 'deep'), 0o700);
    for (let i = 0; i < this.scale.files; i++) await this.addFile();
    for (let i = 0; i < this.scale.large; i++) await this.addLarge();
    await fs.writeFile(path.join(this.root, 'docs', 'empty.txt'), '');
    await fs.symlink('../docs/empty.txt', path.join(this.root, 'media', 'link-to-empty'));
    await fs.symlink('nowhere/at/all', path.join(this.root, 'projects', 'dangling'));
  }

  /** Changes the tree as between two backups of a user's files. */
  async change() {
    const { rng } = this;
    const files = await this.regularFiles();
    const count = Math.max(1, rng.between(1, this.scale.changes));
    for (let i = 0; i < count; i++) {
      const file = rng.pick(files);
      const full = path.join(this.root, file);
      if (!(await exists(full))) continue;
      const size = (await fs.stat(full)).size;
      const action = rng.int(4);
      if (action === 0) await fs.rm(full);
      else if (action === 1 && size > 256 * KiB) await this.editMiddle(full, size);
      else if (action === 2) await fs.chmod(full, rng.pick(FILE_MODES));
      else await fs.writeFile(full, this.content(`rewrite ${this.generation++}`, Math.min(size + 100, 200 * KiB)));
    }
    for (let i = rng.between(1, Math.ceil(count / 2)); i > 0; i--) await this.addFile();
    // Keep about `large` large files: one goes, one comes.
    if (rng.chance(0.3)) {
      const large = (await this.regularFiles()).filter((f) => f.startsWith('big/'));
      if (large.length > 0) await fs.rm(path.join(this.root, rng.pick(large)));
      await this.addLarge();
    }
    if (rng.chance(0.3)) {
      const link = path.join(this.root, 'media', 'link-to-empty');
      await fs.rm(link, { force: true });
      await fs.symlink(rng.pick(['../docs/empty.txt', '../big', 'elsewhere']), link);
    }
  }

  /** Deletes a file (the user removes what was erased from the backups). */
  async remove(rel) {
    await fs.rm(path.join(this.root, rel), { force: true });
  }

  /** Relative paths of the regular files in the tree now, sorted. */
  async regularFiles() {
    const manifest = await manifestOf(this.root);
    return [...manifest].filter(([, e]) => e.type === 'file').map(([rel]) => rel);
  }

  async addFile() {
    const { rng } = this;
    const folder = rng.pick(FOLDERS.filter((f) => f !== 'big'));
    const text = rng.chance(0.5);
    const rel = this.newName(folder, text ? 'txt' : 'bin');
    const size = rng.chance(0.2) ? rng.between(64 * KiB, 400 * KiB) : rng.between(1, 40 * KiB);
    const data = text ? this.content(rel, size) : bytesFor(`${this.rng.state} ${rel}`, size);
    await fs.writeFile(path.join(this.root, rel), data, { mode: rng.pick(FILE_MODES) });
  }

  async addLarge() {
    const rel = this.newName('big', 'bin');
    const size = this.rng.between(this.scale.largeMin, this.scale.largeMax);
    await fs.writeFile(path.join(this.root, rel), bytesFor(`${this.rng.state} ${rel}`, size), { mode: 0o644 });
  }

  /** Overwrites 64 KiB in the middle of a file: chunks away from the edit stay the same. */
  async editMiddle(full, size) {
    const handle = await fs.open(full, 'r+');
    try {
      const at = this.rng.int(size - 64 * KiB);
      await handle.write(bytesFor(`edit ${this.generation++}`, 64 * KiB), 0, 64 * KiB, at);
    } finally {
      await handle.close();
    }
  }

  /** Compressible text of `size` bytes. */
  content(label, size) {
    const words = [];
    let length = 0;
    let i = 0;
    while (length < size) {
      const word = `${WORDS[(this.rng.int(WORDS.length) + i++) % WORDS.length]}${i % 12 === 0 ? '\n' : ' '}`;
      words.push(word);
      length += word.length;
    }
    return Buffer.from(`${label}\n${words.join('')}`).subarray(0, size);
  }
}

async function exists(file) {
  return fs.lstat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Every entry below `root` (not root itself): relative path → { type, mode, size, sha256 } for
 * files, { type, mode } for folders, { type, target } for symlinks.
 */
export async function manifestOf(root) {
  const out = new Map();
  async function visit(dir, relDir) {
    for (const name of (await fs.readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const rel = relDir ? `${relDir}/${name}` : name;
      const st = await fs.lstat(full);
      if (st.isSymbolicLink()) out.set(rel, { type: 'symlink', target: await fs.readlink(full) });
      else if (st.isDirectory()) {
        out.set(rel, { type: 'dir', mode: st.mode & 0o7777 });
        await visit(full, rel);
      } else if (st.isFile()) {
        const sha256 = createHash('sha256')
          .update(await fs.readFile(full))
          .digest('hex');
        out.set(rel, { type: 'file', mode: st.mode & 0o7777, size: st.size, sha256 });
      } else out.set(rel, { type: 'other' });
    }
  }
  await visit(root, '');
  return out;
}

/**
 * What differs between a restored tree's manifest and the expected one. A path in `mayLack`
 * (erased) may be absent together with everything below it; present, it must match.
 */
export function differences(expected, actual, mayLack = []) {
  const lacking = mayLack.filter((rel) => !actual.has(rel));
  const dropped = (rel) => lacking.some((p) => rel === p || rel.startsWith(`${p}/`));
  const out = [];
  for (const [rel, want] of expected) {
    if (dropped(rel)) continue;
    const got = actual.get(rel);
    if (!got) out.push(`${rel}: missing`);
    else if (JSON.stringify(got) !== JSON.stringify(want))
      out.push(`${rel}: ${JSON.stringify(got)} instead of ${JSON.stringify(want)}`);
  }
  for (const rel of actual.keys()) if (!expected.has(rel)) out.push(`${rel}: not in the backed-up tree`);
  return out;
}
