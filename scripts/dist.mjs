#!/usr/bin/env node
/**
 * `npm run dist [-- ARGS]`: builds Cairn (`npm run build`), then the installers of this platform
 * with electron-builder (electron-builder.yml; ARGS go to it, e.g. `--dir` for the unpacked app
 * only). A wrapper, not a bare `electron-builder`, for two reasons:
 *
 * - electron-builder downloads the Electron build it packages. Where that is impossible (no
 *   network to GitHub, as on the project's build machines) it fails with a stack trace; this
 *   says in plain words what stopped and what it needs, and exits 1.
 * - electron-builder rebuilds the native modules in node_modules for Electron's ABI. Afterwards
 *   Node itself can no longer load better-sqlite3, and `npm test` / the CLI would fail: this
 *   rebuilds it for Node when that happened.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const windows = process.platform === 'win32';
const args = process.argv.slice(2);
if (args[0] === '--') args.shift();

/** Signs that electron-builder failed on a download (of Electron or a packaging tool), not on Cairn. */
const DOWNLOAD_FAILURE =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|getaddrinfo|socket hang up|status code (403|404|5\d\d)|cannot download/i;

function electronVersion() {
  try {
    return require('electron/package.json').version;
  } catch {
    return 'the version in package.json';
  }
}

/** True when this Node can load better-sqlite3 (false after a rebuild for Electron's ABI). */
function nodeLoadsSqlite() {
  const probe = spawnSync(process.execPath, ['-e', "require('better-sqlite3')(':memory:').close()"], {
    cwd: root,
    stdio: 'ignore',
  });
  return probe.status === 0;
}

function restoreNodeModules() {
  if (nodeLoadsSqlite()) return;
  console.log('dist: electron-builder rebuilt better-sqlite3 for Electron; rebuilding it for Node (npm rebuild)');
  const rebuild = spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit', shell: windows });
  if (rebuild.status !== 0 || !nodeLoadsSqlite()) {
    console.error('dist: better-sqlite3 does not load in Node any more; run `npm rebuild better-sqlite3`');
  }
}

const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: windows });
if (build.status !== 0) {
  console.error('dist: `npm run build` failed, so no installer was made');
  process.exit(build.status ?? 1);
}

const builderCli = require.resolve('electron-builder/cli.js');
const child = spawn(process.execPath, [builderCli, ...args], { cwd: root, stdio: ['inherit', 'pipe', 'pipe'] });
let output = '';
for (const [from, to] of [
  [child.stdout, process.stdout],
  [child.stderr, process.stderr],
]) {
  from.on('data', (chunk) => {
    output += chunk;
    to.write(chunk);
  });
}
child.on('error', (err) => {
  console.error(`dist: electron-builder could not start: ${err.message}`);
  process.exit(1);
});
child.on('close', (code) => {
  restoreNodeModules();
  if (code === 0) {
    console.log(`dist: done; see release/ (${args.includes('--dir') ? 'the unpacked app' : 'the installers'})`);
    return;
  }
  if (DOWNLOAD_FAILURE.test(output)) {
    const line = output.split('\n').find((l) => DOWNLOAD_FAILURE.test(l)) ?? '';
    const reason = line
      .replace(/^\s*⨯\s*/, '')
      .replace(/\s+failedTask=.*$/, '')
      .trim();
    console.error(
      [
        '',
        `dist stopped: electron-builder could not download what it packages (${reason}).`,
        `It needs Electron ${electronVersion()} for this platform from github.com/electron/electron/releases`,
        '(cached afterwards in the user cache folder, e.g. ~/.cache/electron), and on Windows and macOS',
        'its packaging tools from github.com/electron-userland/electron-builder-binaries.',
        'This machine cannot reach them, so no installer can be made here; `npm run build` succeeded.',
        'With an unpacked Electron at hand, `npm run dist -- --dir -c.electronDist=DIR` packages without the download.',
      ].join('\n'),
    );
  } else {
    console.error(`dist: electron-builder failed (exit code ${code}); its messages are above`);
  }
  process.exit(code || 1);
});
