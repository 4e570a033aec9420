/**
 * Electron main-process entry (built by electron-vite to out/main/index.js). Takes the
 * single-instance lock, starts the engine in a utility process (engine-process.js, on the same data
 * folder as the CLI; main only relays the contract) and starts the desktop shell. If the engine
 * stops for good (it is restarted once), Cairn says so and quits. `--hidden` (used by launch at
 * login) starts in the tray. Remembered passwords (safeStorage vault) unlock their repositories,
 * after the kept storage credentials of remote repositories were handed to the engine. The audit
 * trail's key comes from the OS keychain (audit-keychain.ts) and reaches each engine process first.
 */
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, dialog, safeStorage, utilityProcess } from 'electron';
import { resolveDataDir } from '../app/host/data-dir.js';
import { acquireSingleInstance, startDesktop, unlockAtStart as unlockRememberedAtStart } from './app-lifecycle.js';
import { DesktopAuditKey } from './audit-keychain.js';
import { EngineProcessClient } from './engine-client.js';
import { PasswordVault } from './secrets.js';
import { STORAGE_CREDENTIALS_FILE, StorageCredentialVault } from './storage-credentials.js';

const here = dirname(fileURLToPath(import.meta.url));
// electron-vite's dev server; never honoured by a packaged app, which only loads its own files.
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;

async function main(): Promise<void> {
  if (!acquireSingleInstance()) return;
  await app.whenReady();
  const dataDir = resolveDataDir();
  const vault = new PasswordVault({ safeStorage, platform: process.platform, file: join(dataDir, 'vault.json') });
  const storageVault = new StorageCredentialVault({
    safeStorage,
    platform: process.platform,
    file: join(dataDir, STORAGE_CREDENTIALS_FILE),
  });
  // A remote repository's storage can only be reached with its credentials: they go first.
  const unlockAtStart = async (): Promise<void> => {
    await unlockRememberedAtStart(engine, vault, storageVault);
  };
  let engine: EngineProcessClient;
  try {
    const auditKey = new DesktopAuditKey({ safeStorage, platform: process.platform, dataDir });
    engine = await EngineProcessClient.start(utilityProcess, join(here, 'engine-process.js'), dataDir, {
      auditKey: () => auditKey.choice(),
    });
  } catch (err) {
    dialog.showErrorBox('Cairn cannot start', (err as Error).message);
    app.exit(1);
    return;
  }
  // Repositories whose password the user chose to remember open without asking (also after an
  // engine restart, which comes back with every repository locked).
  void unlockAtStart();
  engine.onExit(({ message, willRestart }) => {
    if (willRestart) {
      void unlockAtStart(); // its calls wait for the restarted engine
      return;
    }
    dialog.showErrorBox('Cairn stopped', `${message} Cairn will close now; open it again to continue.`);
    app.exit(1);
  });
  startDesktop({
    engine,
    vault,
    storageVault,
    loginDefaultMarker: join(dataDir, 'login-item-default.json'),
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
