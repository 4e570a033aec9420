/**
 * The renderer's one data-loading hook: loads data for one part of a screen through the contract
 * and tracks its loading and error state, for <Loadable> (common/Loadable.tsx) to show. The last
 * data stays on screen while a reload runs, so live refreshes do not flicker, and after a failed
 * reload too (beside the error); an answer that arrives after a newer request started is dropped.
 * `data` is undefined until something was loaded (a contract result is JSON: never undefined, but
 * possibly null, which is data like any other).
 */
import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { failureMessage } from './common/failure.js';

export type RequestState<T> =
  | { state: 'loading'; data: T | undefined }
  | { state: 'ready'; data: T }
  | { state: 'error'; message: string; data: T | undefined };

export type Request<T> = RequestState<T> & { reload(): void };

/** Runs `load` now and whenever `deps` change or `reload()` is called; `load: null` waits. */
export function useRequest<T>(load: (() => Promise<T>) | null, deps: DependencyList): Request<T> {
  const [state, setState] = useState<RequestState<T>>({ state: 'loading', data: undefined });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  // The newest `load` runs: it may close over values the caller did not list in `deps`.
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `deps` and `generation` are the triggers by design.
  useEffect(() => {
    const run = loadRef.current;
    if (!run) return;
    const id = ++latest.current;
    setState((previous) => (previous.state === 'ready' ? previous : { state: 'loading', data: previous.data }));
    run().then(
      (data) => {
        if (id === latest.current) setState({ state: 'ready', data });
      },
      (error: unknown) => {
        if (id === latest.current)
          setState((previous) => ({ state: 'error', message: failureMessage(error), data: previous.data }));
      },
    );
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

/** Whether anything was loaded yet (data may be null: a result like any other). */
export function hasData<T>(request: RequestState<T>): request is RequestState<T> & { data: T } {
  return request.state === 'ready' || request.data !== undefined;
}
