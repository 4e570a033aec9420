/**
 * The access token of `cairn serve`: read once from the address (`#token=…`), then taken out of
 * the address bar (so it is not bookmarked or shared by accident) and kept for this tab's reloads.
 */
const STORAGE_KEY = 'cairn.token';

export function takeToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    window.sessionStorage.setItem(STORAGE_KEY, token);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return token;
  }
  return window.sessionStorage.getItem(STORAGE_KEY);
}
