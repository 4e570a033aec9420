/**
 * The benchmark dataset: generates WORK/data-<size> with make-dataset.mjs once and reuses it on later
 * runs. Next to it, WORK/data-<size>.manifest.json records the seed, size and make-dataset's manifest
 * line (file count, bytes, content hash); a folder is reused only when a fresh manifest matches it,
 * so an interrupted generation or an edited tree is regenerated instead of measured.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** make-dataset.mjs's manifest line for `dir`: "<files> <bytes> <sha256>". */
export function manifestLine(makeDataset, dir) {
  return execFileSync(process.execPath, [makeDataset, 'manifest', dir], { encoding: 'utf8' }).trim();
}

/** { files, bytes, hash } from a manifest line. */
export function parseManifest(line) {
  const [files, bytes, hash] = line.split(' ');
  if (!files || !bytes || !hash) throw new Error(`unexpected manifest line from make-dataset.mjs: "${line}"`);
  return { files: Number(files), bytes: Number(bytes), hash };
}

function readRecord(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Returns { dir, files, bytes, hash, seed, sizeMib, generated } for WORK/data-<sizeMib>, generating it
 * when it is missing or does not match its recorded manifest.
 */
export function ensureDataset({ makeDataset, work, sizeMib, seed, log }) {
  const dir = path.join(work, `data-${sizeMib}`);
  const recordFile = `${dir}.manifest.json`;
  const record = readRecord(recordFile);
  if (existsSync(dir) && record && record.seed === seed && record.sizeMib === sizeMib) {
    log(`dataset: checking ${dir} against its manifest`);
    const line = manifestLine(makeDataset, dir);
    if (line === record.manifest) return { dir, ...parseManifest(line), seed, sizeMib, generated: false };
    log('dataset: contents differ from the recorded manifest; generating it again');
  } else if (existsSync(dir)) {
    log(`dataset: ${dir} was not made for seed ${seed}, ${sizeMib} MiB by this script; generating it again`);
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(recordFile, { force: true });
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  log(`dataset: generating ${sizeMib} MiB (seed ${seed}) into ${dir}`);
  execFileSync(
    process.execPath,
    [makeDataset, 'generate', partial, '--seed', String(seed), '--size-mib', String(sizeMib)],
    { stdio: 'inherit' },
  );
  renameSync(partial, dir);
  const line = manifestLine(makeDataset, dir);
  writeFileSync(recordFile, `${JSON.stringify({ seed, sizeMib, manifest: line }, null, 2)}\n`);
  return { dir, ...parseManifest(line), seed, sizeMib, generated: true };
}

/** Describes a dataset the user supplied with --dataset (no seed known). */
export function describeDataset(makeDataset, dir) {
  if (!existsSync(dir)) throw new Error(`--dataset ${dir} does not exist`);
  return { dir, ...parseManifest(manifestLine(makeDataset, dir)), seed: null, sizeMib: null, generated: false };
}
