/**
 * Reading anchors.sh's results.tsv: rows, failed steps, medians per tool and step, and the ratios
 * the project sets as performance targets. Pure functions over text and numbers.
 */

/** The timed steps anchors.sh records per tool and rep, in run order. */
export const STEPS = ['warm-read-cat', 'init', 'backup-initial', 'backup-nochange', 'backup-mutated', 'restore'];

/** Number of a TSV cell, or null when it is empty or not a number (e.g. a failed step's timing). */
function num(cell) {
  if (cell === undefined || cell.trim() === '') return null;
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}

/**
 * Parses results.tsv into rows: { dataset, tool, rep, step, wall, user, sys, rssMib, repoMib,
 * dataMib, mbps, note, rc, verify }. `rc` comes from the note's `rc=N` (null if absent), `verify`
 * is 'OK', 'FAIL' or null (only restore rows carry it).
 */
export function parseResultsTsv(text) {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const header = lines.shift();
  if (!header?.startsWith('dataset\ttool\trep\tstep\twall_s')) {
    throw new Error('results.tsv does not start with the anchors.sh header line');
  }
  return lines.map((line) => {
    const c = line.split('\t');
    const note = c[11] ?? '';
    const rcMatch = /(?:^|\s)rc=(\d+)/.exec(note);
    const verify = /verify=OK/.test(note) ? 'OK' : /verify=FAIL/.test(note) ? 'FAIL' : null;
    return {
      dataset: c[0] ?? '',
      tool: c[1] ?? '',
      rep: Number(c[2]),
      step: c[3] ?? '',
      wall: num(c[4]),
      user: num(c[5]),
      sys: num(c[6]),
      rssMib: num(c[7]),
      repoMib: num(c[8]),
      dataMib: num(c[9]),
      mbps: num(c[10]),
      note,
      rc: rcMatch ? Number(rcMatch[1]) : null,
      verify,
    };
  });
}

/** Median of the finite numbers in `values` (mean of the middle two for an even count); null if none. */
export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * What went wrong in a run: one message per failed step (non-zero exit, restore that does not match
 * the source, unparsable timing) and per step that is missing for a tool and rep.
 * Returns [{ tool, rep, step, message }].
 */
export function findFailures(rows, tools, reps) {
  const failures = [];
  for (const row of rows) {
    const where = { tool: row.tool, rep: row.rep, step: row.step };
    if (row.rc !== null && row.rc !== 0) {
      failures.push({ ...where, message: `exited with status ${row.rc}` });
    } else if (row.step === 'restore' && row.verify !== 'OK') {
      const nothing = /files=0\//.test(row.note);
      const message = nothing
        ? `no restored files where the harness looked (check BENCH_<TOOL>_RESTORED); ${row.note}`
        : `restored files differ from the source; ${row.note}`;
      failures.push({ ...where, message });
    } else if (row.wall === null) {
      failures.push({ ...where, message: 'no timing recorded' });
    }
  }
  for (let rep = 1; rep <= reps; rep++) {
    for (const tool of tools) {
      for (const step of STEPS) {
        if (!rows.some((r) => r.tool === tool && r.rep === rep && r.step === step)) {
          failures.push({ tool, rep, step, message: 'step missing from results.tsv (the harness stopped early)' });
        }
      }
    }
  }
  return failures;
}

/**
 * Medians over reps per tool and step: { [tool]: { [step]: { reps, wall, wallMin, wallMax, cpu,
 * mbps, rssMib, repoMib } } }, where cpu = user + sys seconds.
 */
export function summarize(rows) {
  const summary = {};
  for (const row of rows) {
    summary[row.tool] ??= {};
    summary[row.tool][row.step] ??= [];
    summary[row.tool][row.step].push(row);
  }
  for (const tool of Object.keys(summary)) {
    for (const step of Object.keys(summary[tool])) {
      const group = summary[tool][step];
      const walls = group.map((r) => r.wall).filter((w) => w !== null);
      summary[tool][step] = {
        reps: group.length,
        wall: median(walls),
        wallMin: walls.length ? Math.min(...walls) : null,
        wallMax: walls.length ? Math.max(...walls) : null,
        cpu: median(group.map((r) => (r.user !== null && r.sys !== null ? r.user + r.sys : null))),
        mbps: median(group.map((r) => r.mbps)),
        rssMib: median(group.map((r) => r.rssMib)),
        repoMib: median(group.map((r) => r.repoMib)),
      };
    }
  }
  return summary;
}

/** Highest peak RSS (MiB) among a tool's own steps (the warm-up `cat` is not the tool); null if none. */
export function peakRss(rows, tool) {
  const values = rows.filter((r) => r.tool === tool && r.step !== 'warm-read-cat' && r.rssMib !== null);
  return values.length ? Math.max(...values.map((r) => r.rssMib)) : null;
}

function ratio(a, b) {
  return a === null || b === null || b === 0 ? null : a / b;
}

/**
 * The project's performance targets, evaluated on a run. Each: { id, label, goal, op ('>=' | '<='),
 * limit, ours, restic, unit, value, met } where `value` is the ratio ours/restic (or our own figure
 * for absolute targets) and `met` is true/false, or null when it cannot be computed (a tool missing).
 */
export function evaluateTargets(summary, rows) {
  const ours = summary.ours ?? {};
  const restic = summary.restic ?? {};
  const pick = (side, step, field) => side[step]?.[field] ?? null;
  const targets = [
    {
      id: 'backup-throughput',
      label: 'Initial backup throughput, Cairn / restic',
      op: '>=',
      limit: 1.5,
      unit: 'MB/s',
      ours: pick(ours, 'backup-initial', 'mbps'),
      restic: pick(restic, 'backup-initial', 'mbps'),
      relative: true,
    },
    {
      id: 'restore-throughput',
      label: 'Restore throughput, Cairn / restic',
      op: '>=',
      limit: 1.0,
      unit: 'MB/s',
      ours: pick(ours, 'restore', 'mbps'),
      restic: pick(restic, 'restore', 'mbps'),
      relative: true,
    },
    {
      id: 'nochange-time',
      label: 'No-change backup time, Cairn / restic',
      op: '<=',
      limit: 1.0,
      unit: 's',
      ours: pick(ours, 'backup-nochange', 'wall'),
      restic: pick(restic, 'backup-nochange', 'wall'),
      relative: true,
    },
    {
      id: 'repo-size',
      label: 'Repository size after 3 backups, Cairn / restic',
      op: '<=',
      limit: 1.05,
      unit: 'MiB',
      ours: pick(ours, 'restore', 'repoMib'),
      restic: pick(restic, 'restore', 'repoMib'),
      relative: true,
    },
    {
      id: 'peak-rss',
      label: 'Cairn peak RSS (highest of all its steps and reps)',
      op: '<=',
      limit: 300,
      unit: 'MiB',
      ours: summary.ours ? peakRss(rows, 'ours') : null,
      restic: summary.restic ? peakRss(rows, 'restic') : null,
      relative: false,
    },
  ];
  return targets.map((t) => {
    const value = t.relative ? ratio(t.ours, t.restic) : t.ours;
    const met = value === null ? null : t.op === '>=' ? value >= t.limit : value <= t.limit;
    const limit = t.relative ? t.limit.toFixed(2) : `${t.limit} ${t.unit}`;
    return { ...t, goal: `${t.op === '>=' ? '≥' : '≤'} ${limit}`, value, met };
  });
}
