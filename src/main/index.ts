/**
 * Electron main-process entry (built by electron-vite to out/main/index.js). Takes the
 * single-instance lock, opens the engine (EngineHost, in this process) on the same data folder as
 * the CLI, and starts the desktop shell. `--hidden` (used by launch at login) starts in the tray.
 */
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, dialog } from 'electron';
import { resolveDataDir } from '../engine/app/data-dir.js';
import { EngineHost } from '../engine/app/engine-host.js';
import { acquireSingleInstance, startDesktop } from './app-lifecycle.js';

const here = dirname(fileURLToPath(import.meta.url));
// electron-vite's dev server; never honoured by a packaged app, which only loads its own files.
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;

async function main(): Promise<void> {
  if (!acquireSingleInstance()) return;
  await app.whenReady();
  let engine: EngineHost;
  try {
    engine = EngineHost.open({ dataDir: resolveDataDir() });
  } catch (err) {
    dialog.showErrorBox('Cairn cannot start', `Cairn could not open its data folder: ${(err as Error).message}`);
    app.exit(1);
    return;
  }
  startDesktop({
    engine,
    appUrl: devServerUrl ?? pathToFileURL(join(here, '../renderer/index.html')).href,
    preloadPath: join(here, '../preload/index.cjs'),
    iconDir: app.isPackaged ? join(process.resourcesPath, 'icons') : join(app.getAppPath(), 'build'),
    dev: devServerUrl !== undefined,
    startHidden: process.argv.includes('--hidden'),
    platform: process.platform,
    homeDir: homedir(),
  });
}

void main();
