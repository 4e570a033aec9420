/**
 * Light or dark: follows the system (prefers-color-scheme) unless the person picks one; the choice
 * is kept in localStorage and applied as `data-theme` on <html>, which styles.css reads.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'cairn.theme';

export function readTheme(): ThemeChoice {
  try {
    const stored = window.localStorage.getItem(KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  try {
    if (choice === 'system') window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, choice);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
}
