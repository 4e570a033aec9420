/**
 * Gives a repository command's key derivation a head start: it begins before the rest of the
 * CLI loads, so the ~0.15 s of module loading overlaps the key derivation (Argon2id's lanes, or
 * scrypt, run on threads of their own). Only for the commands that open a repository (marked
 * `opensRepository` in command-list.ts), only when the password comes from CAIRN_PASSWORD or
 * --password-file, and for the first key slot (the one `Repository.open` tries first). Anything
 * unexpected just means no head start: the command then reports it as usual.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openBackend } from '../engine/backend/open.js';
import { isValidId } from '../engine/backend/refs.js';
import { readRegularFileSync } from '../engine/backend/regular-file.js';
import { deriveAhead, parseKeySlot } from '../engine/crypto/keys.js';
import { OBJECT_SIZE_CAPS } from '../engine/format/limits.js';
import { COMMANDS } from './command-list.js';
import { GLOBAL_OPTIONS } from './global-options.js';
import { passwordFromFile } from './password.js';

/**
 * Starts the derivation (on the thread pool) and returns. Synchronous on purpose: the module
 * loading that follows would delay every asynchronous step. Returns whether it started.
 */
export function startUnlockingEarly(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const [command, ...rest] = argv;
  if (!COMMANDS.find((c) => c.name === command)?.opensRepository) return false;
  try {
    // Only the global options are known here; the command's own are left for main to check.
    const { values } = parseArgs({ args: rest, options: GLOBAL_OPTIONS, strict: false, allowPositionals: true });
    const repo = values.repo;
    const file = values['password-file'];
    const location = typeof repo === 'string' ? repo : env.CAIRN_REPOSITORY;
    if (values.help || !location) return false;
    // The same precedence as the command's own password reading (password.ts).
    const password = typeof file === 'string' ? passwordFromFile(readFileSync(file, 'utf8')) : env.CAIRN_PASSWORD;
    if (!password) return false;
    const backend = openBackend(location);
    if (!backend.filePath) return false;
    // The first slot in the folder's own order, the order in which the backend lists them.
    const keysDir = path.dirname(backend.filePath({ kind: 'keys', id: '0'.repeat(64) }));
    const first = readdirSync(keysDir).find((name) => isValidId('keys', name));
    if (!first) return false;
    deriveAhead(
      parseKeySlot(readRegularFileSync(path.join(keysDir, first), 'a key slot', OBJECT_SIZE_CAPS.keys), 'a key slot'),
      password,
    );
    return true;
  } catch {
    return false;
  }
}
