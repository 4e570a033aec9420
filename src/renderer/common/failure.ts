/**
 * What a screen shows when a call fails. A frozen recovery point (code 'restricted', refused by
 * the engine for every read of its contents) gets the app's own words, with the date and reason
 * read back from the engine's message ("… is frozen (restricted under GDPR Art. 18) since DATE
 * (REASON): …", src/app/privacy/restriction/guard.ts) and where to lift it; every other failure
 * shows its message as it came.
 */
import { formatDateTime } from '../when.js';

const FROZEN = / is frozen \(restricted under GDPR Art\. 18\) since (\S+) \((.*)\): its files/;

/** The words for a failed call; `action`: what the screen wanted to do, "restore it". */
export function failureMessage(failure: unknown, action = 'browse, restore or compare it'): string {
  const { code, message } = (failure ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(failure);
  if (code !== 'restricted') return text;
  const found = FROZEN.exec(text);
  const detail = found ? ` (since ${formatDateTime(found[1] as string)}: ${found[2]})` : '';
  return `This recovery point is frozen${detail}: unfreeze it in Privacy to ${action}.`;
}
