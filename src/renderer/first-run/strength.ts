/**
 * A password's strength for the meters of first run and Settings (new passwords): zxcvbn-ts,
 * which knows tens of thousands of common passwords, names and words, keyboard patterns, l33t,
 * dates and repeats, scored 0–4. Its dictionaries weigh about a megabyte, so they are loaded
 * by dynamic import the first time a meter is shown: a chunk of their own, not part of the
 * bundle every screen loads. It only advises; any non-empty password is accepted.
 */
import { useEffect, useMemo, useState } from 'react';

export type Strength = {
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  /** What makes the password guessable ("This is a commonly used password."), if anything. */
  warning: string | null;
  /** False while the dictionaries load (or when they could not be): the score means nothing yet. */
  ready: boolean;
};

export type StrengthMeter = (password: string) => Strength;

const LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;
const EMPTY: Strength = { score: 0, label: LABELS[0], warning: null, ready: true };

let loading: Promise<StrengthMeter> | undefined;

/** The meter, once zxcvbn-ts and its English and common dictionaries are loaded (once per page). */
export function loadStrengthMeter(): Promise<StrengthMeter> {
  loading ??= (async () => {
    const [{ ZxcvbnFactory }, common, english] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    const zxcvbn = new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...english.dictionary },
      graphs: common.adjacencyGraphs,
      translations: english.translations,
      // Not the Levenshtein matcher: it takes seconds per check, far too slow for a meter that follows typing.
    });
    return (password: string): Strength => {
      if (password === '') return EMPTY;
      const result = zxcvbn.check(password);
      return { score: result.score, label: LABELS[result.score], warning: result.feedback.warning, ready: true };
    };
  })();
  // A failed load (the page lost its server) may be tried again by the next meter shown.
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/** The strength of `password`, for a meter; "Checking…" until the dictionaries have loaded. */
export function usePasswordStrength(password: string): Strength {
  const [meter, setMeter] = useState<StrengthMeter | { failed: string } | null>(null);
  useEffect(() => {
    let current = true;
    loadStrengthMeter().then(
      (loaded) => current && setMeter(() => loaded),
      (error: Error) => current && setMeter({ failed: error.message }),
    );
    return () => {
      current = false;
    };
  }, []);
  // A check takes tens of milliseconds: once per password, not on every render.
  return useMemo((): Strength => {
    if (password === '') return EMPTY;
    if (meter === null) return { score: 0, label: 'Checking…', warning: null, ready: false };
    if (typeof meter !== 'function') {
      const label = `unavailable (the password dictionaries did not load: ${meter.failed})`;
      return { score: 0, label, warning: null, ready: false };
    }
    return meter(password);
  }, [meter, password]);
}
