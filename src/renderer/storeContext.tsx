/**
 * Hands the app store to the components: `useApp(state => state.status)`, and the app status as a
 * Request (`useAppStatus`), so a screen shows it through <Loadable> like anything it loads itself.
 */
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { useStore } from 'zustand';
import type { AppState, AppStatusData, AppStore } from './store.js';
import type { Request } from './useRequest.js';

const StoreContext = createContext<AppStore | null>(null);

export function StoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useApp<T>(selector: (state: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useApp must be used inside <StoreProvider>');
  return useStore(store, selector);
}

/** The app status (kept current by events) with its load state; `reload` loads it again. */
export function useAppStatus(): Request<AppStatusData> {
  const status = useApp((state) => state.status);
  const load = useApp((state) => state.load);
  const loadStatus = useApp((state) => state.loadStatus);
  return useMemo((): Request<AppStatusData> => {
    const reload = () => void loadStatus();
    const data = status ?? undefined;
    if (load.state === 'error') return { state: 'error', message: load.message, data, reload };
    if (load.state === 'ready' && data) return { state: 'ready', data, reload };
    return { state: 'loading', data, reload };
  }, [status, load, loadStatus]);
}
