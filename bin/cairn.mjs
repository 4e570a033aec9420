#!/usr/bin/env node
// Entry point of the `cairn` command: runs the bundled CLI in dist/cli (made by `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cli/index.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('cairn: the command line is not built yet; run "npm run build" first\n');
  process.exit(1);
}
await import(pathToFileURL(entry).href);
