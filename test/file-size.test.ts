/**
 * Small files with one clear job (docs/architecture.md): no source file of the app grows past 600
 * lines. A file that reaches it is split by what it does, not trimmed of its comments.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const LIMIT = 600;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.(ts|tsx|mjs)$/.test(entry.name) ? [full] : [];
  });
}

describe('source files', () => {
  it(`stay within ${LIMIT} lines`, () => {
    const long = sources(path.join(ROOT, 'src'))
      .map((file) => ({ file: path.relative(ROOT, file), lines: fs.readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > LIMIT);
    expect(long).toEqual([]);
  });
});
