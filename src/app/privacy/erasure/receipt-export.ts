/**
 * The receipt with the erased path named: the one copy Cairn writes with the name, to a file the
 * user chooses (`cairn privacy erase --path P --receipt FILE`, the app's "Save the receipt").
 * The copy Cairn keeps names the path by its keyed hash only; here the user gives the path again,
 * and it is checked against that hash (with the repository's keys), so a saved receipt never
 * names a path its request did not erase.
 */
import fs from 'node:fs';
import path from 'node:path';
import { erasurePathKey } from '../../../engine/crypto/subkeys.js';
import { erasurePathHash } from '../../../engine/erase/path-match.js';
import { erasurePath } from '../../../engine/erase/rewrite-snapshot.js';
import { CairnError, describeError } from '../../../engine/errors.js';
import type { Repository } from '../../../engine/repo/repository.js';
import { type ErasureReceipt, ErasureRecords } from './records.js';

/**
 * The absolute file a receipt with the name may be saved to: not inside the app data folder
 * (which must not hold the name), not existing yet, in a folder that exists.
 */
export function receiptTarget(file: string, dataDir: string): string {
  if (!file || !path.isAbsolute(file)) {
    throw new CairnError('invalid-argument', `the receipt must be saved to an absolute file path (got "${file}")`);
  }
  const target = path.resolve(file);
  const data = path.resolve(dataDir);
  const rel = path.relative(data, target);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new CairnError(
      'invalid-argument',
      `the receipt names the erased path, so it cannot go inside the app data folder ${data}: choose a place outside it`,
    );
  }
  if (fs.existsSync(target)) throw new CairnError('invalid-argument', `${target} already exists: name a new file`);
  const parent = path.dirname(target);
  if (!fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CairnError('invalid-argument', `the folder ${parent} for the receipt does not exist`);
  }
  return target;
}

/**
 * Saves the receipt of `request` (an erasure of `repo`) with `erasedPath` named in its scope to
 * `file`; refuses a path whose keyed hash is not the receipt's. Returns the file written.
 */
export function saveReceiptWithPath(
  repo: Repository,
  dataDir: string,
  request: string,
  erasedPath: string,
  file: string,
): { file: string; receipt: ErasureReceipt } {
  const stored = new ErasureRecords(dataDir).receipt(request);
  if (!stored) throw new CairnError('not-found', `there is no receipt of erasure request ${request}`);
  const scope = stored.scope;
  if (typeof scope !== 'object' || scope.repositoryId !== repo.config.id || typeof scope.pathHash !== 'string') {
    throw new CairnError('invalid-argument', `request ${request} did not erase a path from this repository`);
  }
  const repoPath = erasurePath(erasedPath);
  if (erasurePathHash(erasurePathKey(repo.keys), repoPath) !== scope.pathHash) {
    throw new CairnError('invalid-argument', `request ${request} erased another path: give the path it erased`);
  }
  const target = receiptTarget(file, dataDir);
  const receipt: ErasureReceipt = { ...stored, scope: { ...scope, path: repoPath } };
  try {
    fs.writeFileSync(target, `${JSON.stringify(receipt, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    throw new CairnError('io', `cannot write the receipt ${target}: ${describeError(err)}`, { cause: err });
  }
  return { file: target, receipt };
}
