/**
 * The exit codes are documented where users look: the table of docs/headless.md and README.md
 * lists exactly the codes the CLI has (EXIT), and help and the man page take their words from
 * EXIT_MEANINGS. Each code itself is checked by a run that ends with it: 0, 1, 2, 3, 10, 11 and
 * 130 in cli.test.ts, 12 there and in password-sources.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_MEANINGS } from '../../src/cli/commands/types.js';
import { ROOT } from '../support/cli.js';

/** The codes of the first markdown table after `heading`. */
function tableCodes(file: string, heading: string): number[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const start = text.indexOf(heading);
  expect(start, `${file}: ${heading}`).toBeGreaterThan(-1);
  const codes: number[] = [];
  for (const line of text.slice(start).split('\n').slice(1)) {
    const m = /^\| (\d+) +\|/.exec(line);
    if (m) codes.push(Number(m[1]));
    else if (codes.length > 0 && !line.startsWith('|')) break;
  }
  return codes;
}

describe('exit codes', () => {
  const codes = Object.values(EXIT).sort((a, b) => a - b);

  it("are restic's where the meaning is the same", () => {
    expect(EXIT).toMatchObject({
      ok: 0,
      error: 1,
      partial: 3,
      noRepository: 10,
      locked: 11,
      wrongPassword: 12,
      interrupted: 130,
    });
  });

  it('each has its meaning, and the tables of docs/headless.md and README.md list exactly them', () => {
    expect(EXIT_MEANINGS.map(([c]) => c)).toEqual(codes);
    expect(tableCodes('docs/headless.md', '### Exit codes')).toEqual(codes);
    expect(tableCodes('README.md', '### Exit codes')).toEqual(codes);
  });
});
