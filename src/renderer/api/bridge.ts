/**
 * `window.cairn`, which the Electron preload exposes (its type, CairnDesktopApi, is the desktop
 * contract in src/contract/desktop.ts, shared with the preload and main). Absent in a browser
 * talking to `cairn serve`.
 */
import type { CairnDesktopApi } from '../../contract/desktop.js';

declare global {
  interface Window {
    cairn?: CairnDesktopApi;
  }
}

export function electronBridge(): CairnDesktopApi | undefined {
  return typeof window === 'undefined' ? undefined : window.cairn;
}
