/**
 * The preload script (bundled to CommonJS, runs sandboxed): exposes `window.cairn`, built by
 * ./api.ts over the desktop contract's channels (src/contract/desktop.ts) — `cairn:call` (invoke),
 * `cairn:event` and `cairn:show` (main → page) and the channels the main process answers itself
 * (invoke).
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import { CALL_CHANNEL, type DesktopEventListener, EVENT_CHANNEL, SHOW_CHANNEL } from '../contract/desktop.js';
import type { EventName } from '../contract/events.js';
import { buildApi } from './api.js';

contextBridge.exposeInMainWorld(
  'cairn',
  buildApi({
    invoke: (method, params) => ipcRenderer.invoke(CALL_CHANNEL, method, params),
    invokeMain: (channel, args) => ipcRenderer.invoke(channel, ...args),
    listen: (listener: DesktopEventListener) => {
      const relay = (_event: IpcRendererEvent, name: EventName, payload: unknown): void => listener(name, payload);
      ipcRenderer.on(EVENT_CHANNEL, relay);
      return () => {
        ipcRenderer.removeListener(EVENT_CHANNEL, relay);
      };
    },
    listenShow: (listener) => {
      ipcRenderer.on(SHOW_CHANNEL, (_event: IpcRendererEvent, payload: unknown) => listener(payload));
    },
  }),
);
