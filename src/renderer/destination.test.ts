import { describe, expect, it, vi } from 'vitest';
import { createClient } from '../contract/client.js';
import type { DesktopDestination } from '../contract/desktop.js';
import { type AddressBar, destinationFromQuery, followDestinations, routeFor } from './destination.js';
import { createAppStore } from './store.js';

/** An address bar as the page has it, recording what the address becomes. */
function addressBar(search: string, hash = '') {
  const bar = {
    location: { pathname: '/', search, hash },
    history: {
      replaceState: vi.fn((_data: unknown, _unused: string, url?: string | URL | null) => {
        const next = new URL(String(url), 'http://127.0.0.1');
        bar.location = { pathname: next.pathname, search: next.search, hash: next.hash };
      }),
    },
  };
  return bar satisfies AddressBar;
}

/** The app store, as the renderer makes it (no call reaches anything in these tests). */
function store() {
  return createAppStore(createClient(async () => Promise.reject(new Error('not called'))));
}

/** A desktop bridge whose main sends destinations when the test says. */
function desktop() {
  const listeners = new Set<(destination: DesktopDestination) => void>();
  return {
    onShow: (listener: (destination: DesktopDestination) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    send: (destination: DesktopDestination) => {
      for (const listener of listeners) listener(destination);
    },
    listeners,
  };
}

describe('where the app is sent', () => {
  it('unlock: the Dashboard, with that repository’s unlock form to focus', () => {
    expect(routeFor({ show: 'unlock', repositoryId: 'nas' })).toEqual({
      screen: 'dashboard',
      handoff: { repositoryId: 'nas', focus: 'unlock' },
    });
  });

  it('reads ?screen=unlock&repo=<id>, and nothing it does not know', () => {
    expect(destinationFromQuery('?screen=unlock&repo=ab%20c')).toEqual({ show: 'unlock', repositoryId: 'ab c' });
    expect(destinationFromQuery('')).toBeNull();
    expect(destinationFromQuery('?repo=nas')).toBeNull();
    expect(destinationFromQuery('?screen=unlock')).toBeNull();
    expect(destinationFromQuery('?screen=unlock&repo=')).toBeNull();
    expect(destinationFromQuery('?screen=erase-everything&repo=nas')).toBeNull();
  });

  it('the address’s destination opens at start, and leaves the address (other parts stay)', () => {
    const app = store();
    app.getState().navigate('settings');
    const bar = addressBar('?screen=unlock&repo=nas&lang=en', '#section');
    followDestinations(app.getState().navigate, undefined, bar);
    expect(app.getState().screen).toBe('dashboard');
    expect(app.getState().handoff).toEqual({ repositoryId: 'nas', focus: 'unlock' });
    expect(bar.location).toEqual({ pathname: '/', search: '?lang=en', hash: '#section' });
  });

  it('an address without a destination is left alone; one Cairn does not know is only taken out', () => {
    const app = store();
    const plain = addressBar('?lang=en');
    followDestinations(app.getState().navigate, undefined, plain);
    expect(plain.history.replaceState).not.toHaveBeenCalled();
    expect(app.getState().screen).toBe('dashboard');
    expect(app.getState().handoff).toBeNull();

    const unknown = addressBar('?screen=nowhere&repo=nas');
    followDestinations(app.getState().navigate, undefined, unknown);
    expect(unknown.location.search).toBe('');
    expect(app.getState().handoff).toBeNull();
  });

  it('follows the desktop’s destinations from any screen until told to stop', () => {
    const app = store();
    const main = desktop();
    const stop = followDestinations(app.getState().navigate, main, addressBar(''));
    app.getState().navigate('retention', { repositoryId: 'usb' });

    main.send({ show: 'unlock', repositoryId: 'nas' });
    expect(app.getState().screen).toBe('dashboard');
    expect(app.getState().handoff).toEqual({ repositoryId: 'nas', focus: 'unlock' });
    // The same destination again is a new hand-off, so the form takes the cursor again.
    const first = app.getState().handoff;
    main.send({ show: 'unlock', repositoryId: 'nas' });
    expect(app.getState().handoff).not.toBe(first);

    stop();
    expect(main.listeners.size).toBe(0);
  });
});
