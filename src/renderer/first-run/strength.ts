/**
 * A password's strength for the meter of the first-run wizard: an entropy estimate from length
 * and the kinds of characters, lowered for repeats, sequences and very common passwords. It
 * only advises; any non-empty password is accepted.
 */
export type Strength = { score: 0 | 1 | 2 | 3 | 4; label: string; bits: number };

const COMMON = new Set([
  'password',
  'password1',
  '123456',
  '12345678',
  '123456789',
  'qwerty',
  'letmein',
  'welcome',
  'iloveyou',
  'admin',
  'abc123',
  'monkey',
  'dragon',
  'football',
  'baseball',
  'sunshine',
  'princess',
  'passw0rd',
]);

const LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;

export function passwordStrength(password: string): Strength {
  if (password.length === 0) return { score: 0, label: LABELS[0], bits: 0 };
  if (COMMON.has(password.toLowerCase())) return { score: 0, label: LABELS[0], bits: 0 };
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/[0-9]/.test(password)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(password)) pool += 33;
  // Repeated characters and runs like "abcd" or "1234" add little.
  let effective = 0;
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    const prev = password.charCodeAt(i - 1);
    const repeat = i > 0 && c === prev;
    const run = i > 0 && Math.abs(c - prev) === 1;
    effective += repeat || run ? 0.25 : 1;
  }
  const bits = Math.round(effective * Math.log2(Math.max(pool, 2)));
  const score = bits < 28 ? 0 : bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  return { score, label: LABELS[score], bits };
}
