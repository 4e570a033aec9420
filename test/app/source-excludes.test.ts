/**
 * The exclude pattern erasure adds for a path still on disk (src/app/services/source-excludes.ts)
 * matches exactly that path, whatever characters its name holds, and nothing else: checked with
 * the backup's own exclude rules.
 */
import { describe, expect, it } from 'vitest';
import { exactExcludePattern } from '../../src/app/services/source-excludes.js';
import { ExcludeRules } from '../../src/engine/backup/excludes.js';

describe('the exclude pattern of an erased path', () => {
  const cases = [
    '/home/me/Zorblax-Quantel-medical',
    '/home/me/a*b',
    '/home/me/what?',
    '/home/me/[draft] notes',
    '/home/me/back\\slash',
    '/home/me/ends with a space ',
    '/C/Users/me/!important',
  ];

  for (const p of cases) {
    it(`matches ${JSON.stringify(p)} exactly`, () => {
      const pattern = exactExcludePattern(p);
      expect(pattern.trim()).toBe(pattern); // survives the trimming sources.setExcludes does
      const rules = ExcludeRules.fromPatterns([pattern]);
      expect(rules.isExcluded(p, false)).toBe(true);
      expect(rules.isExcluded(p, true)).toBe(true);
      expect(rules.isExcluded(`${p}x`, false)).toBe(false);
      expect(rules.isExcluded('/home/me/other', false)).toBe(false);
    });
  }

  it('does not act as a glob', () => {
    const rules = ExcludeRules.fromPatterns([exactExcludePattern('/home/me/a*b')]);
    expect(rules.isExcluded('/home/me/axxb', false)).toBe(false);
    const cls = ExcludeRules.fromPatterns([exactExcludePattern('/home/me/[draft] notes')]);
    expect(cls.isExcluded('/home/me/d notes', false)).toBe(false);
  });
});
