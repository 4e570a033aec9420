/**
 * Renderer entry: picks the transport (Electron preload or `cairn serve` over HTTP), creates the
 * store, feeds it the live events, follows where the address or the desktop's main process sends
 * it (destination.ts) and renders the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from '../contract/client.js';
import { App } from './App.js';
import { electronBridge } from './api/bridge.js';
import { subscribe } from './api/events.js';
import { takeToken } from './api/token.js';
import { pickTransport } from './api/transport.js';
import { followDestinations } from './destination.js';
import { createAppStore } from './store.js';
import { StoreProvider } from './storeContext.js';
import { applyTheme, readTheme } from './theme.js';
import './styles.css';

applyTheme(readTheme());
const token = takeToken();
const store = createAppStore(createClient(pickTransport(token)));

subscribe(token, {
  onEvent(name, payload) {
    const state = store.getState();
    if (name === 'app.status') state.applyStatus(payload as Parameters<typeof state.applyStatus>[0]);
    if (name === 'task.updated') state.applyTask(payload as Parameters<typeof state.applyTask>[0]);
    if (name === 'incidents.changed') state.applyIncidents(payload as Parameters<typeof state.applyIncidents>[0]);
  },
  onDisconnected: (disconnected) => store.getState().setEventsDisconnected(disconnected),
});
followDestinations(store.getState().navigate, electronBridge());
void store.getState().loadStatus();
void store.getState().loadIncidents();

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root element');
createRoot(rootElement).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
