/**
 * Launch at login is on by default once the first repository is set up (a backup app must keep
 * protecting files after a restart), and the user can switch it off. The default is applied once:
 * a marker file in the app data folder records it, so a user's "off" is never overridden.
 */
import { existsSync, writeFileSync } from 'node:fs';

/** Turns launch at login on the first time a repository exists; returns whether it did. */
export async function applyLoginDefault(
  markerFile: string,
  hasRepository: boolean,
  enable: () => Promise<void>,
): Promise<boolean> {
  if (!hasRepository || existsSync(markerFile)) return false;
  await enable();
  writeFileSync(markerFile, `${JSON.stringify({ launchAtLoginDefaultAppliedAt: new Date().toISOString() })}\n`, {
    mode: 0o600,
  });
  return true;
}
