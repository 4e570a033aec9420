/**
 * Runs the fidelity torture tree (test/support/fidelity-tree.ts) through Cairn, restic and borg on
 * this machine — each backs it up and restores it into a fresh folder — and prints the table of
 * docs/fidelity.md: per row, kept or what was lost first. restic and borg come from Debian
 * (`apt-get install restic borgbackup`); a tool that is missing gets a column saying so.
 * Run: npx tsx scripts/fidelity-compare.ts
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalBackend } from '../src/engine/backend/local.js';
import { backup } from '../src/engine/backup/archiver.js';
import { Repository } from '../src/engine/repo/repository.js';
import { restore } from '../src/engine/restore/restorer.js';
import {
  buildFidelityTree,
  type Manifest,
  manifest,
  rowDifferences,
  xattrSupport,
} from '../test/support/fidelity-tree.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-fidelity-compare-'));
const src = path.join(dir, 'src');
const rows = await buildFidelityTree(src);
const { xattr } = await xattrSupport(dir);
const before = manifest(src, { xattr });

function version(tool: string): string | undefined {
  try {
    // restic answers `restic version`, borg `borg --version`.
    const args = tool === 'restic' ? ['version'] : ['--version'];
    return execFileSync(tool, args, { encoding: 'utf8' }).trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

/** Each tool: back `src` up and restore it; returns where the copy of `src` is. */
const tools: { name: string; run: (work: string) => Promise<string> }[] = [
  {
    name: 'Cairn',
    run: async (work) => {
      const repo = await Repository.init(new LocalBackend(path.join(work, 'repo')), 'fidelity', {
        kdf: { name: 'argon2id', m: 1024, t: 1, p: 1 },
      });
      const made = await backup(repo, { paths: [src] });
      if (made.warnings.length > 0) console.error(`Cairn warned: ${made.warnings.join('; ')}`);
      await restore(repo, made.snapshot, { target: path.join(work, 'out') });
      await repo.close();
      return path.join(work, 'out', src);
    },
  },
  {
    name: 'restic',
    run: async (work) => {
      const env = { ...process.env, RESTIC_PASSWORD: 'fidelity', RESTIC_REPOSITORY: path.join(work, 'repo') };
      execFileSync('restic', ['init', '-q'], { env });
      execFileSync('restic', ['backup', '-q', src], { env });
      execFileSync('restic', ['restore', '-q', 'latest', '--target', path.join(work, 'out')], { env });
      return path.join(work, 'out', src);
    },
  },
  {
    name: 'borg --sparse',
    run: async (work) => {
      const env = { ...process.env, BORG_PASSPHRASE: '', BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes' };
      const repo = path.join(work, 'repo');
      execFileSync('borg', ['init', '-e', 'none', repo], { env });
      execFileSync('borg', ['create', `${repo}::fidelity`, src], { env });
      fs.mkdirSync(path.join(work, 'out'));
      execFileSync('borg', ['extract', '--sparse', `${repo}::fidelity`], { env, cwd: path.join(work, 'out') });
      return path.join(work, 'out', src);
    },
  },
];

const columns: { name: string; results?: Map<string, string[]>; missing?: string }[] = [];
for (const tool of tools) {
  const binary = tool.name.split(' ')[0] as string;
  if (binary !== 'Cairn' && !version(binary)) {
    columns.push({ name: tool.name, missing: `${binary} is not installed` });
    continue;
  }
  const work = path.join(dir, binary);
  fs.mkdirSync(work);
  let after: Manifest;
  try {
    after = manifest(await tool.run(work), { xattr });
  } catch (err) {
    columns.push({ name: tool.name, missing: `failed: ${(err as Error).message.split('\n')[0]}` });
    continue;
  }
  const results = new Map<string, string[]>();
  for (const row of rows) if (!row.skipped) results.set(row.id, rowDifferences(row.id, before, after));
  columns.push({ name: tool.name, results });
}

const cell = (diffs: string[] | undefined) =>
  !diffs ? '—' : diffs.length === 0 ? 'kept' : `**lost** (${shorten(diffs[0] ?? '').replace(/\|/g, '\\|')})`;
/** A difference short enough for a table cell (the long path's name alone is 3,800 characters). */
function shorten(text: string): string {
  return text.replace(/d{20,}/g, 'd…').slice(0, 160);
}
console.log(
  `Versions: ${['restic', 'borg'].map((t) => version(t) ?? `${t} missing`).join(', ')}, Node ${process.version}\n`,
);
console.log(`| what | ${columns.map((c) => c.name).join(' | ')} |`);
console.log(`|---|${columns.map(() => '---').join('|')}|`);
for (const row of rows) {
  const cells = columns.map((c) =>
    row.skipped ? `skipped: ${row.skipped}` : (c.missing ?? cell(c.results?.get(row.id))),
  );
  console.log(`| ${row.what} | ${cells.join(' | ')} |`);
}
await fs.promises.chmod(path.join(src, 'modes/private'), 0o700).catch(() => undefined);
fs.rmSync(dir, { recursive: true, force: true });
