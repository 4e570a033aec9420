/**
 * Golden-file tests for applyPolicy (restic's approach): one fixed list of recovery points
 * (testdata/snapshots.json) and, per policy, the expected kept ids with reasons
 * (testdata/policy_<name>.json). Regenerate with `UPDATE_GOLDEN=1 npx vitest run <this file>` followed by
 * `npx biome format --write src/app/retention/testdata` (the linter's JSON layout),
 * then read the diff: the hand-checked assertions in policy.test.ts pin the important goldens
 * independently, so regenerating cannot silently bless a wrong answer.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyPolicy, type RetentionPolicy } from './policy.js';
import { GOLDEN_NOW, GOLDEN_POLICIES, loadFixture } from './testdata/fixture.js';

const update = process.env.UPDATE_GOLDEN === '1';

function goldenPath(name: string): string {
  return fileURLToPath(new URL(`./testdata/policy_${name}.json`, import.meta.url));
}

function render(policy: RetentionPolicy) {
  const result = applyPolicy(loadFixture(), policy, GOLDEN_NOW);
  return {
    policy,
    keep: result.keep.map((k) => ({ id: k.snapshot.id, time: k.snapshot.time, reasons: k.reasons })),
    remove: result.remove.map((s) => s.id),
  };
}

describe('applyPolicy golden files', () => {
  for (const [name, policy] of Object.entries(GOLDEN_POLICIES)) {
    it(`policy_${name}`, () => {
      const actual = render(policy);
      const file = goldenPath(name);
      if (update) writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
      expect(existsSync(file), `missing golden ${file}; run with UPDATE_GOLDEN=1 once`).toBe(true);
      expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    });
  }
});
