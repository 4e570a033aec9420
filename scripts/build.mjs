// Builds Cairn: the engine, CLI and server with tsc into dist/src, bundled into dist/cli (what
// `cairn` and `cairn serve` run, scripts/bundle-cli.mjs), then the desktop parts with
// electron-vite into out/ (Electron main, the sandboxed preload, and the renderer that both
// Electron and `cairn serve` show). Fails with the tools' own messages.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleCli } from './bundle-cli.mjs';

const root = new URL('..', import.meta.url);
const dist = new URL('../dist', import.meta.url);
function run(script, args) {
  const r = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

rmSync(dist, { recursive: true, force: true });
run('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.build.json']);
await bundleCli(fileURLToPath(dist));
run('node_modules/electron-vite/bin/electron-vite.js', ['build']);
