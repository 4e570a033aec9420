/**
 * The check an erasure issue asks for: is a name still anywhere Cairn keeps things? Every file
 * in a local repository folder is searched as stored, and — opened with the password, through the
 * engine's own readers — decrypted: the config, every snapshot, every index file, and every blob
 * of every pack (trees and file data). Every file in the app data folder (catalog and journal
 * with their -wal/-shm files, audit trail, tombstones, receipts, …) is searched as stored. The
 * name is looked for in UTF-8 and in UTF-16 (both byte orders). Returns where it was found.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { decodeBlob } from '../../src/engine/format/blob-codec.js';
import { decodePackHeader } from '../../src/engine/format/pack.js';
import { decodeDocument } from '../../src/engine/format/sealed-json.js';
import { Repository } from '../../src/engine/repo/repository.js';

/** The byte patterns of `name`: UTF-8, UTF-16LE and UTF-16BE. */
function patterns(name: string): Buffer[] {
  const le = Buffer.from(name, 'utf16le');
  return [Buffer.from(name, 'utf8'), le, Buffer.from(le).swap16()];
}

function holds(bytes: Uint8Array, name: string): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return patterns(name).some((p) => buf.includes(p));
}

/** Every regular file below `dir` (none when it does not exist). */
export async function filesBelow(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir, { recursive: true })).map(String);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    if ((await fs.lstat(file)).isFile()) out.push(file);
  }
  return out.sort();
}

/** Where `name` occurs in the files of `dir`, as stored (`<file>`). */
export async function findInFiles(dir: string, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const file of await filesBelow(dir)) if (holds(await fs.readFile(file), name)) found.push(file);
  return found;
}

/** Where `name` occurs in the repository at `repoDir`, stored or decrypted (`<file>` or `<file> (decrypted …)`). */
export async function findInRepository(repoDir: string, password: string, name: string): Promise<string[]> {
  const found = await findInFiles(repoDir, name);
  const repo = await Repository.open(new LocalBackend(repoDir), password);
  try {
    const { dataKey, idKey } = repo.keys;
    for (const file of await filesBelow(repoDir)) {
      const rel = path.relative(repoDir, file).split(path.sep);
      const kind = rel[0];
      const bytes = await fs.readFile(file);
      const documentPurpose =
        kind === 'config' ? 'config' : kind === 'snapshots' ? 'snapshot' : kind === 'index' ? 'index' : undefined;
      if (documentPurpose) {
        const doc = decodeDocument(dataKey, bytes, documentPurpose, file);
        if (holds(Buffer.from(JSON.stringify(doc)), name)) found.push(`${file} (decrypted ${documentPurpose})`);
      } else if (kind === 'data') {
        for (const entry of decodePackHeader(dataKey, bytes, file)) {
          const stored = bytes.subarray(entry.offset, entry.offset + entry.length);
          const plain = decodeBlob(dataKey, idKey, stored, entry.id, entry.rawLength);
          if (holds(plain, name)) found.push(`${file} (decrypted ${entry.type} blob ${entry.id.slice(0, 12)})`);
        }
      }
    }
  } finally {
    await repo.close();
  }
  return found;
}
