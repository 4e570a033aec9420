// `npm start`: builds Cairn, then opens the desktop app with Electron. Where Electron cannot run
// (its binary is missing, or Linux has no display) it says so in one line and runs the browser
// version (`cairn serve`) instead, passing through its output and exit code.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (build.status !== 0) process.exit(build.status ?? 1);

/** The Electron executable, or the reason it cannot be used. */
function findElectron() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display: neither DISPLAY nor WAYLAND_DISPLAY is set' };
  }
  // The electron package's index.js returns the binary's path, fetching the binary first when it
  // is missing, and throws "Electron failed to install correctly" when that fails. It runs in a
  // child so the download's own output does not interleave with ours.
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `try { console.log('CAIRN_ELECTRON_PATH=' + require('electron')) }
       catch (e) { console.log('CAIRN_ELECTRON_ERROR=' + String(e && e.message).split('\\n')[0]); process.exitCode = 1 }`,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  const lines = `${probe.stdout ?? ''}`.split('\n');
  const found = lines.find((line) => line.startsWith('CAIRN_ELECTRON_PATH='));
  if (probe.status === 0 && found) return { executable: found.slice('CAIRN_ELECTRON_PATH='.length).trim() };
  const failure = lines.find((line) => line.startsWith('CAIRN_ELECTRON_ERROR='));
  const message = failure?.slice('CAIRN_ELECTRON_ERROR='.length).trim().split(/\.\s/)[0];
  return { reason: message || 'Electron could not be loaded' };
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    process.stderr.write(`Cairn could not start ${command}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = findElectron();
if (electron.executable) {
  run(electron.executable, ['.']);
} else {
  process.stdout.write(`Cairn desktop cannot start here (${electron.reason}); running the browser version instead\n`);
  run(process.execPath, ['bin/cairn.mjs', 'serve', ...process.argv.slice(2)]);
}
