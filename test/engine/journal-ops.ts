/**
 * Random file-system operations for the journal tests: a seeded generator of creates, edits,
 * renames, deletes, folder creations/removals/moves, mode changes, extended attributes and hard
 * links on a temp tree, each reporting the paths a watcher is expected to journal for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as xattr from '@napi-rs/xattr';
import type { ChangeKind } from '../../src/app/journal/journal-store.js';

export interface Journaled {
  path: string;
  kind: ChangeKind;
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rnd: () => number, items: T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(rnd() * items.length)];
}

function walk(root: string): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  const visit = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        dirs.push(p);
        visit(p);
      } else files.push(p);
    }
  };
  visit(root);
  return { files, dirs };
}

let counter = 0;
function content(rnd: () => number): string {
  counter++;
  return `${counter}:${rnd().toString(36)}\n`.repeat(1 + Math.floor(rnd() * 40));
}

/** A starting tree of a few folders and files. */
export function makeTree(root: string, rnd: () => number, files = 30): void {
  fs.mkdirSync(root, { recursive: true });
  const dirs = [root];
  for (let i = 0; i < 6; i++) {
    const d = path.join(pick(rnd, dirs) as string, `d${i}`);
    fs.mkdirSync(d);
    dirs.push(d);
  }
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(pick(rnd, dirs) as string, `f${i}.txt`), content(rnd));
}

/** Applies one random operation under `root`; returns what a watcher journals for it. */
export function randomOp(root: string, rnd: () => number): { op: string; journaled: Journaled[] } {
  const { files, dirs } = walk(root);
  const allDirs = [root, ...dirs];
  const name = () => `n${++counter}`;
  const r = rnd();
  const file = pick(rnd, files);
  const dir = pick(rnd, dirs);
  if (r < 0.2 || !file) {
    const p = path.join(pick(rnd, allDirs) as string, `${name()}.txt`);
    fs.writeFileSync(p, content(rnd));
    return { op: `create ${p}`, journaled: [{ path: p, kind: 'entry' }] };
  }
  if (r < 0.4) {
    fs.appendFileSync(file, content(rnd));
    // A distinct mtime, as a later edit on a real disk would have.
    const t = new Date(Date.now() + Math.floor(rnd() * 1e6));
    fs.utimesSync(file, t, t);
    return { op: `edit ${file}`, journaled: [{ path: file, kind: 'entry' }] };
  }
  if (r < 0.5) {
    const to = path.join(pick(rnd, allDirs) as string, `${name()}.txt`);
    fs.renameSync(file, to);
    return {
      op: `rename ${file} -> ${to}`,
      journaled: [
        { path: file, kind: 'entry' },
        { path: to, kind: 'entry' },
      ],
    };
  }
  if (r < 0.6) {
    fs.rmSync(file);
    return { op: `delete ${file}`, journaled: [{ path: file, kind: 'entry' }] };
  }
  if (r < 0.64) {
    fs.chmodSync(file, rnd() < 0.5 ? 0o600 : 0o644);
    return { op: `chmod ${file}`, journaled: [{ path: file, kind: 'entry' }] };
  }
  if (r < 0.66) {
    // Moves only the file's ctime (format version 3 records extended attributes).
    xattr.setAttributeSync(file, 'user.tag', content(rnd).slice(0, 40));
    return { op: `setxattr ${file}`, journaled: [{ path: file, kind: 'entry' }] };
  }
  if (r < 0.68) {
    // A second name: the first one's link count and ctime change, and both carry its hard-link group.
    const to = path.join(pick(rnd, allDirs) as string, `${name()}.txt`);
    fs.linkSync(file, to);
    return {
      op: `link ${file} -> ${to}`,
      journaled: [
        { path: file, kind: 'entry' },
        { path: to, kind: 'entry' },
      ],
    };
  }
  if (r < 0.78) {
    const d = path.join(pick(rnd, allDirs) as string, name());
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'inside.txt'), content(rnd));
    return { op: `mkdir ${d}`, journaled: [{ path: d, kind: 'tree' }] };
  }
  if (r < 0.86 && dir) {
    fs.rmSync(dir, { recursive: true });
    return { op: `rmdir ${dir}`, journaled: [{ path: dir, kind: 'tree' }] };
  }
  if (dir) {
    // Move a folder to another parent that is not inside it.
    const targets = allDirs.filter((d) => d !== dir && !d.startsWith(dir + path.sep));
    const to = path.join(pick(rnd, targets) as string, name());
    fs.renameSync(dir, to);
    return {
      op: `move ${dir} -> ${to}`,
      journaled: [
        { path: dir, kind: 'tree' },
        { path: to, kind: 'tree' },
      ],
    };
  }
  const p = path.join(root, `${name()}.txt`);
  fs.writeFileSync(p, content(rnd));
  return { op: `create ${p}`, journaled: [{ path: p, kind: 'entry' }] };
}
