import { describe, expect, it } from 'vitest';
import { passwordStrength } from './strength.js';

describe('passwordStrength', () => {
  it('rates empty, common and patterned passwords very weak', () => {
    expect(passwordStrength('').score).toBe(0);
    expect(passwordStrength('password').score).toBe(0);
    expect(passwordStrength('aaaaaaaaaaaa').score).toBe(0);
    expect(passwordStrength('abcdefghijkl').score).toBe(0);
  });

  it('rises with length and variety', () => {
    expect(passwordStrength('tree7house').score).toBe(2);
    expect(passwordStrength('correct horse battery staple').score).toBe(4);
    expect(passwordStrength('Tr0ub4dor&3x').score).toBeGreaterThanOrEqual(3);
    expect(passwordStrength('x9').label).toBe('Very weak');
  });
});
