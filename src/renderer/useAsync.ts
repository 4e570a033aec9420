/** Loads something for a screen and keeps its loading / ready / error state, with a reload. */
import { useCallback, useEffect, useRef, useState } from 'react';

export type AsyncState<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string };

export function useAsync<T>(
  load: (() => Promise<T>) | null,
  deps: unknown[],
): { result: AsyncState<T> | null; reload: () => void } {
  const [result, setResult] = useState<AsyncState<T> | null>(load ? { state: 'loading' } : null);
  const [round, setRound] = useState(0);
  const current = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the load depends on
  useEffect(() => {
    if (!load) {
      setResult(null);
      return;
    }
    const mine = ++current.current;
    setResult((previous) => (previous?.state === 'ready' ? previous : { state: 'loading' }));
    load().then(
      (value) => {
        if (current.current === mine) setResult({ state: 'ready', value });
      },
      (error: unknown) => {
        if (current.current === mine) setResult({ state: 'error', message: (error as Error).message });
      },
    );
  }, [...deps, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { result, reload };
}
