/**
 * ssh2, loaded the first time an SFTP location is used rather than when the engine loads: a
 * command on a local folder never pays for it (~50 ms), and the bundled CLI keeps ssh2 and its
 * optional native parts as the installed package (esbuild cannot bundle `.node` files).
 */
import { createRequire } from 'node:module';

type Ssh2 = typeof import('ssh2');

let loaded: Ssh2 | undefined;

export function ssh2(): Ssh2 {
  loaded ??= createRequire(import.meta.url)('ssh2') as Ssh2;
  return loaded;
}
