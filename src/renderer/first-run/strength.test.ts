import { describe, expect, it } from 'vitest';
import { loadStrengthMeter } from './strength.js';

describe('the password strength meter (zxcvbn-ts)', () => {
  it('rates common passwords with the usual decorations weak', async () => {
    const strength = await loadStrengthMeter();
    expect(strength('Password123!')).toMatchObject({ score: 1, label: 'Weak', ready: true });
    expect(strength('Password123!').warning).toMatch(/common/i);
    expect(strength('password').score).toBe(0);
    expect(strength('qwertyuiop').score).toBe(0);
    expect(strength('aaaaaaaaaaaa').score).toBe(0);
    expect(strength('Summer2024').score).toBeLessThanOrEqual(1);
  });

  it('rates long unrelated words and random strings strong, and the empty password very weak', async () => {
    const strength = await loadStrengthMeter();
    expect(strength('correct horse battery staple')).toMatchObject({ score: 4, label: 'Very strong', warning: null });
    expect(strength('granite meadow lantern 42').score).toBeGreaterThanOrEqual(3);
    expect(strength('mT9q-vX2r-Lw7z').score).toBe(4);
    expect(strength('')).toMatchObject({ score: 0, label: 'Very weak' });
    expect(strength('abc').label).toBe('Very weak');
  });
});
