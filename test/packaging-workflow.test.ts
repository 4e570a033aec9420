/**
 * The GitHub Actions workflow cannot run on the project's machines, so it is checked here so that
 * it does not rot: valid by @action-validator/core (GitHub's workflow schema), and doing what
 * README.md says it does (tests on Linux, Windows and macOS; installers of each platform as
 * artifacts; the Linux tests through .ci/run); the suites it leaves out off Linux exist.
 */
import fs from 'node:fs';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './support/cli.js';

const SOURCE = fs.readFileSync(path.join(ROOT, '.github/workflows/ci.yml'), 'utf8');
const workflow = parse(SOURCE) as {
  jobs: Record<
    string,
    { 'runs-on': string; strategy?: { matrix: Record<string, unknown> }; steps: { run?: string; uses?: string }[] }
  >;
};

function runs(job: string): string {
  return (workflow.jobs[job]?.steps ?? []).map((s) => s.run ?? '').join('\n');
}

describe('.github/workflows/ci.yml', () => {
  it('is a valid workflow by @action-validator/core', () => {
    const state = validateWorkflow(SOURCE);
    expect(state.errors).toEqual([]);
  });

  it('and the validator does catch a broken workflow', () => {
    expect(validateWorkflow(SOURCE.replace('runs-on: ubuntu-24.04', 'runs_on: ubuntu-24.04')).errors).not.toEqual([]);
    expect(validateWorkflow('on: push\njobs:\n  x:\n    steps: 5\n').errors).not.toEqual([]);
  });

  it('tests on Linux (.ci/run), Windows and macOS', () => {
    expect(workflow.jobs['test-linux']?.['runs-on']).toMatch(/ubuntu/);
    expect(runs('test-linux')).toContain('bash .ci/run');
    expect(workflow.jobs['test-other']?.strategy?.matrix.os).toEqual([
      expect.stringMatching(/^windows/),
      expect.stringMatching(/^macos/),
    ]);
    expect(runs('test-other')).toContain('npx vitest run');
  });

  it('leaves out off Linux only suites that exist', () => {
    const excluded = [...runs('test-other').matchAll(/--exclude '([^']+)'/g)].map((m) => m[1] as string);
    expect(excluded.length).toBeGreaterThan(0);
    for (const file of excluded) expect(fs.existsSync(path.join(ROOT, file)), file).toBe(true);
  });

  it("builds each platform's installers with npm run dist and uploads them", () => {
    const job = workflow.jobs.installers;
    const include = job?.strategy?.matrix.include as { os: string; files: string }[];
    expect(include.map((i) => i.os.split('-')[0])).toEqual(['ubuntu', 'windows', 'macos']);
    expect(include.map((i) => i.files.trim().split('\n'))).toEqual([
      ['release/*.AppImage', 'release/*.deb'],
      ['release/*.exe'],
      ['release/*.dmg', 'release/*.zip'],
    ]);
    expect(runs('installers')).toContain('npm run dist');
    expect(runs('installers')).toContain('test/packaging-smoke.test.ts');
    expect(job?.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true);
  });
});
