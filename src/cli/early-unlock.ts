/**
 * Gives a repository command's key derivation a head start: it begins before the rest of the
 * CLI loads, so the ~0.15 s of module loading overlaps the key derivation (Argon2id's lanes, or
 * scrypt, run on threads of their own). Only for the commands that open a repository (marked
 * `opensRepository` in command-list.ts), only when the password comes from a file or
 * CAIRN_PASSWORD (not a command), and for the first key slot (src/app/services/prepare-unlock.ts). Anything
 * unexpected just means no head start: the command then reports it as usual.
 */
import { parseArgs } from 'node:util';
import { type PreparedUnlock, prepareUnlock } from '../app/services/prepare-unlock.js';
import { COMMANDS } from './command-list.js';
import { GLOBAL_SPECS } from './global-options.js';
import { choosePassword, passwordSync, repositoryPassword } from './password.js';

/**
 * Starts the derivation (on the thread pool) and returns it, for `main` to hand to the command's
 * opening of the repository; undefined when there is no head start to give.
 */
export function startUnlockingEarly(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): PreparedUnlock | undefined {
  const [command, ...rest] = argv;
  if (!COMMANDS.find((c) => c.name === command)?.opensRepository) return undefined;
  try {
    // Only the global options are known here; the command's own are left for main to check.
    const { values } = parseArgs({ args: rest, options: GLOBAL_SPECS, strict: false, allowPositionals: true });
    const repo = values.repo;
    const file = values['password-file'];
    const command = values['password-command'];
    const location = typeof repo === 'string' ? repo : env.CAIRN_REPOSITORY;
    if (values.help || !location) return undefined;
    // The same sources, in the same order, as the command's own password reading (password.ts);
    // a password command is left to the command: run twice, it could ask a keyring twice.
    const origin = choosePassword(
      repositoryPassword({
        ...(typeof file === 'string' ? { file } : {}),
        ...(typeof command === 'string' ? { command } : {}),
      }),
      env,
    );
    const password = origin ? passwordSync(origin) : undefined;
    if (!password) return undefined;
    return prepareUnlock(location, password);
  } catch {
    return undefined;
  }
}
