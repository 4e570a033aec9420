/**
 * The preload script (bundled to CommonJS, runs sandboxed): exposes `window.cairn`, built by
 * ./api.ts over two IPC channels — `cairn:call` (invoke) and `cairn:event` (main → page) — plus
 * the three password-vault channels (invoke) that the main process answers itself.
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import type { EventName } from '../contract/events.js';
import { buildApi, type EventListener } from './api.js';

contextBridge.exposeInMainWorld(
  'cairn',
  buildApi({
    invoke: (method, params) => ipcRenderer.invoke('cairn:call', method, params),
    invokeVault: (channel, args) => ipcRenderer.invoke(channel, ...args),
    listen: (listener: EventListener) => {
      const relay = (_event: IpcRendererEvent, name: EventName, payload: unknown): void => listener(name, payload);
      ipcRenderer.on('cairn:event', relay);
      return () => {
        ipcRenderer.removeListener('cairn:event', relay);
      };
    },
  }),
);
