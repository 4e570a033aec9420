/**
 * The index part of `npm run bench` (`--only index`, opt-in: it writes ~50 bytes of index files
 * per chunk and takes minutes at ten million): for each size, a synthetic repository of that
 * many chunks (scripts/synthetic-index.ts, kept in WORK/index-N and reused), then three fresh
 * processes that open it and load its index (scripts/measure-index.ts). Memory is taken after a
 * full GC and is steady from run to run; times are medians, and on a busy machine the CPU time
 * is the steadier figure.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';

export const INDEX_START = '<!-- bench-index:start -->';
export const INDEX_END = '<!-- bench-index:end -->';
/** Targets of issue 24, per chunk and at ten million chunks. */
export const INDEX_BAR = { bytesPerChunk: 100, openS: 10 };
export const INDEX_GOAL = { bytesPerChunk: 64, openS: 3 };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : Number.NaN;
};

function runTs(root, args, what) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

/** Generates (once) and measures each size; returns one row per size with medians over `reps`. */
export function runIndexBench({ root, work, sizes, reps, log }) {
  const rows = [];
  for (const chunks of sizes) {
    const dir = path.join(work, `index-${chunks}`);
    if (!existsSync(path.join(dir, '.complete'))) {
      rmSync(dir, { recursive: true, force: true });
      log(`index bench: writing a synthetic repository of ${chunks.toLocaleString('en')} chunks in ${dir}`);
      runTs(root, ['scripts/synthetic-index.ts', dir, String(chunks)], 'synthetic-index.ts');
      appendFileSync(path.join(dir, '.complete'), '');
    }
    const runs = [];
    for (let rep = 0; rep < reps; rep++) {
      log(`index bench: ${chunks.toLocaleString('en')} chunks, run ${rep + 1} of ${reps}`);
      runs.push(runTs(root, ['--expose-gc', 'scripts/measure-index.ts', dir], 'measure-index.ts'));
    }
    const m = (key) => median(runs.map((r) => r[key]));
    rows.push({
      chunks: runs[0].chunks,
      packs: runs[0].packs,
      openS: m('unlockS') + m('loadS'),
      loadCpuS: m('loadCpuS'),
      heapPerChunk: m('heapBytes') / chunks,
      buffersPerChunk: m('bufferBytes') / chunks,
      rssPerChunk: m('rssBytes') / chunks,
      peakRssPerChunk: m('peakRssBytes') / chunks,
      lookupNs: m('lookupNs'),
    });
  }
  return rows;
}

/** A Markdown table padded the way the formatter writes it. */
function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

function verdict(value, bar, goal) {
  if (!Number.isFinite(value)) return 'n/a';
  return value <= goal ? 'goal met' : value <= bar ? 'bar met' : '**NOT met**';
}

/** The Markdown block for docs/performance.md. */
export function renderIndexReport(rows, { date, machine, command, reps, loadAtStart, cores }) {
  const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const largest = rows.reduce((a, b) => (b.chunks > a.chunks ? b : a), rows[0]);
  const memory = largest.heapPerChunk + largest.buffersPerChunk;
  const busy =
    loadAtStart > cores
      ? ` — **the machine was busy (load ${f(loadAtStart, 2)} on ${cores} cores): times are indicative**`
      : '';
  return `### The index at millions of chunks

Measured ${date} on ${machine} with \`${command}\`, ${reps} run(s) per size, medians${busy}.
Each size is a synthetic repository (\`scripts/synthetic-index.ts\`: real config, key slot and sealed
index files of 32 packs each as backups write them, random ids, no pack data); each run is a fresh
process (\`scripts/measure-index.ts\`) that unlocks it and loads the index. Memory is the growth
over the load, after a full GC: JS heap plus typed arrays ("index memory"), and RSS. Lookups are
\`get\` of present and \`has\` of absent ids, CPU time per call.

${markdownTable(
  [
    'chunks',
    'packs',
    'open s (wall)',
    'load CPU s',
    'index memory B/chunk',
    'RSS B/chunk',
    'peak RSS B/chunk',
    'lookup ns',
  ],
  rows.map((r) => [
    r.chunks.toLocaleString('en'),
    r.packs.toLocaleString('en'),
    f(r.openS, 2),
    f(r.loadCpuS, 2),
    f(r.heapPerChunk + r.buffersPerChunk),
    f(r.rssPerChunk),
    f(r.peakRssPerChunk),
    f(r.lookupNs, 0),
  ]),
)}

- At ${largest.chunks.toLocaleString('en')} chunks: index memory ${f(memory)} B/chunk (bar ≤ ${INDEX_BAR.bytesPerChunk}, goal ≤ ${INDEX_GOAL.bytesPerChunk}): ${verdict(memory, INDEX_BAR.bytesPerChunk, INDEX_GOAL.bytesPerChunk)}; open ${f(largest.openS, 2)} s (bar ≤ ${INDEX_BAR.openS} s, goal ≤ ${INDEX_GOAL.openS} s): ${verdict(largest.openS, INDEX_BAR.openS, INDEX_GOAL.openS)}.
`;
}

/** `existing` with the index block replaced by `block` (appended when there is none yet). */
export function spliceIndexReport(existing, block) {
  const body = `${INDEX_START}\n\n${block.trimEnd()}\n\n${INDEX_END}\n`;
  const text = existing ?? '# Cairn performance\n';
  const start = text.indexOf(INDEX_START);
  const end = text.indexOf(INDEX_END);
  if (start === -1 || end === -1 || end < start) return `${text.replace(/\n*$/, '\n')}\n${body}`;
  return `${text.slice(0, start)}${body}${text.slice(end + INDEX_END.length).replace(/^\n/, '')}`;
}
