/**
 * Where the app is sent from outside its screens: in the desktop app, main's destinations (the
 * tray's "Unlock “NAS”…", a click on "Backup needs your password"; `window.cairn.onShow`), and in
 * any version the same in the address, `?screen=unlock&repo=<id>` (read once at start, then taken
 * out of the address so a reload or a bookmark does not repeat it). Each becomes a screen and a
 * hand-off in the store; the screen does the rest (UnlockForm focuses itself).
 */
import { type CairnDesktopApi, DesktopDestination } from '../contract/desktop.js';
import type { Handoff, ScreenId } from './store.js';

/** The screen and hand-off a destination stands for. */
export function routeFor(destination: DesktopDestination): { screen: ScreenId; handoff: Handoff } {
  switch (destination.show) {
    case 'unlock':
      return { screen: 'dashboard', handoff: { repositoryId: destination.repositoryId, focus: 'unlock' } };
  }
}

/** The query parameters of the address form. */
const SCREEN = 'screen';
const REPOSITORY = 'repo';

/** The destination an address's query names, or null when it names none Cairn knows. */
export function destinationFromQuery(search: string): DesktopDestination | null {
  const query = new URLSearchParams(search);
  const screen = query.get(SCREEN);
  if (screen === null) return null;
  const parsed = DesktopDestination.safeParse({ show: screen, repositoryId: query.get(REPOSITORY) ?? '' });
  return parsed.success ? parsed.data : null;
}

/** The part of `window` the address form reads and rewrites. */
export interface AddressBar {
  location: Pick<Location, 'pathname' | 'search' | 'hash'>;
  history: Pick<History, 'replaceState'>;
}

/** Reads the destination in the address and takes its parameters out of it (the rest stays). */
export function takeDestinationFromAddress(bar: AddressBar = window): DesktopDestination | null {
  const { pathname, search, hash } = bar.location;
  const query = new URLSearchParams(search);
  if (!query.has(SCREEN) && !query.has(REPOSITORY)) return null;
  const destination = destinationFromQuery(search);
  query.delete(SCREEN);
  query.delete(REPOSITORY);
  const rest = query.toString();
  bar.history.replaceState(null, '', `${pathname}${rest ? `?${rest}` : ''}${hash}`);
  return destination;
}

/**
 * Sends the app to the address's destination, if any, then follows main's (desktop only).
 * Returns the function that stops following.
 */
export function followDestinations(
  navigate: (screen: ScreenId, handoff?: Handoff) => void,
  bridge: Partial<Pick<CairnDesktopApi, 'onShow'>> | undefined,
  bar?: AddressBar,
): () => void {
  const go = (destination: DesktopDestination): void => {
    const { screen, handoff } = routeFor(destination);
    navigate(screen, handoff);
  };
  const initial = takeDestinationFromAddress(bar);
  if (initial) go(initial);
  return typeof bridge?.onShow === 'function' ? bridge.onShow(go) : () => {};
}
