/**
 * The AWS SDK's S3 client, loaded the first time an S3 location is used rather than when the
 * engine loads: a command on a local folder never pays for it (~100 ms), and the bundled CLI
 * loads the installed package through Node's own loader (its CommonJS build) instead of carrying
 * it inside the bundle.
 */
import { createRequire } from 'node:module';

type ClientS3 = typeof import('@aws-sdk/client-s3');

let loaded: ClientS3 | undefined;

export function sdk(): ClientS3 {
  // The pinned SDK warns on Node 20 that its later versions will need Node 22: news for whoever
  // upgrades the package, not for the user of a backup, whose terminal it would clutter.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  loaded ??= createRequire(import.meta.url)('@aws-sdk/client-s3') as ClientS3;
  return loaded;
}
