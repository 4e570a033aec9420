/**
 * Where Cairn keeps its app data (the catalog): `--data-dir`, else CAIRN_DATA_DIR, else the
 * platform's per-user application-data folder (Linux: $XDG_CONFIG_HOME/Cairn or ~/.config/Cairn;
 * macOS: ~/Library/Application Support/Cairn; Windows: %APPDATA%\Cairn).
 */
import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'Cairn';

export function platformDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  if (platform === 'win32') {
    const appData = env.APPDATA || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, APP_DIR_NAME);
  }
  const config =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(config, APP_DIR_NAME);
}

/** The data folder to use: the explicit one, else CAIRN_DATA_DIR, else the platform default (absolute). */
export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit || env.CAIRN_DATA_DIR;
  return chosen ? path.resolve(chosen) : platformDataDir(process.platform, env);
}
