import { describe, expect, it } from 'vitest';
import { ID_PATTERN, isId, randomId } from './ids.js';

describe('isId', () => {
  it('accepts exactly 64 lowercase hex digits, as ID_PATTERN does', () => {
    const cases = [
      randomId(),
      '0123456789abcdef'.repeat(4),
      'A'.repeat(64),
      'g'.repeat(64),
      'a'.repeat(63),
      'a'.repeat(65),
      '',
      `${'a'.repeat(63)}/`, // just below '0'
      `${'a'.repeat(63)}:`, // just above '9'
      `${'a'.repeat(63)}\``, // just below 'a'
      `${'a'.repeat(63)}g`, // just above 'f'
      `${'a'.repeat(63)}\n`,
    ];
    for (const c of cases) expect(isId(c), JSON.stringify(c)).toBe(ID_PATTERN.test(c));
    expect(isId(randomId())).toBe(true);
    expect(isId('F'.repeat(64))).toBe(false);
  });
});
