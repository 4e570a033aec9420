/**
 * Command-line options of `npm run bench` (scripts/bench.mjs): parsing, validation and the help text.
 * Pure: no file system or process access, so the rules are testable on their own.
 */

export const KNOWN_TOOLS = ['restic', 'borg', 'ours'];

export const HELP = `Usage: npm run bench -- [options]

Measures Cairn ("ours") side by side with restic on a generated dataset through
../shared/bench/anchors.sh and writes the medians and target ratios to docs/performance.md.

Options:
  --size-mib N     dataset size in MiB (default 1024; the targets are defined at 1024)
  --reps N         repetitions per tool (default 3); the report shows medians
  --seed N         dataset seed for make-dataset.mjs (default 1)
  --work DIR       scratch folder for the dataset, copies, repositories, results (default /tmp/cairn-bench)
  --tools "LIST"   tools to run, space- or comma-separated, of: restic borg ours
                   (default "restic ours", or "ours" alone when restic is not installed)
  --dataset DIR    use this existing dataset instead of generating WORK/data-<size>
  --harness DIR    folder holding anchors.sh and make-dataset.mjs (default ../shared/bench)
  --out FILE       Markdown file to update (default docs/performance.md)
  --only PART      run one part only: "anchors" (the side-by-side harness), "journal"
                   (journal backups of a many-file tree under \`cairn watch\`) or "remote"
                   (SFTP and S3 against servers started on 127.0.0.1); default all three.
                   "index" (opt-in, never part of a full run): open time and memory of
                   the index of synthetic repositories of millions of chunks
  --journal-files N  files in the journal benchmark's tree (default 100000)
  --remote-size-mib N  dataset size of the remote part in MiB (default 256)
  --remote-backends "LIST"  backends of the remote part, of: sftp s3 (default both)
  --index-chunks "LIST"  chunk counts of the index part (default "1000000 3000000 10000000")
  --no-write       print the report only; do not touch --out
  -h, --help       this help
`;

const VALUE_OPTIONS = [
  '--size-mib',
  '--reps',
  '--seed',
  '--work',
  '--tools',
  '--dataset',
  '--harness',
  '--out',
  '--only',
  '--journal-files',
  '--remote-size-mib',
  '--remote-backends',
  '--index-chunks',
];
export const PARTS = ['anchors', 'journal', 'remote', 'index'];
export const REMOTE_BACKENDS = ['sftp', 's3'];

/** A mistake in the command line; the message is meant for the user. */
export class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
  }
}

function positiveInt(name, raw) {
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new UsageError(`${name} needs a whole number of at least 1, not "${raw}"`);
  return Number(raw);
}

/** Splits a --tools value ("restic ours", "restic,ours") into known, distinct tool names. */
export function parseTools(raw) {
  const tools = raw.split(/[\s,]+/).filter(Boolean);
  if (tools.length === 0) throw new UsageError('--tools needs at least one tool name');
  for (const tool of tools) {
    if (!KNOWN_TOOLS.includes(tool)) {
      throw new UsageError(`unknown tool "${tool}" in --tools; choose from: ${KNOWN_TOOLS.join(', ')}`);
    }
  }
  return [...new Set(tools)];
}

/** Splits a --remote-backends value ("sftp s3", "s3") into known, distinct backend names, in run order. */
export function parseRemoteBackends(raw) {
  const names = raw.split(/[\s,]+/).filter(Boolean);
  if (names.length === 0) throw new UsageError('--remote-backends needs at least one of: sftp, s3');
  for (const name of names) {
    if (!REMOTE_BACKENDS.includes(name)) {
      throw new UsageError(
        `unknown backend "${name}" in --remote-backends; choose from: ${REMOTE_BACKENDS.join(', ')}`,
      );
    }
  }
  return REMOTE_BACKENDS.filter((b) => names.includes(b));
}

/**
 * Parses the arguments after `bench.mjs`. Accepts `--name value` and `--name=value`, and ignores a
 * leading `--` (as `npm run bench -- ...` may pass one). Paths are returned as given; `tools` is
 * null when --tools was not given (the caller decides from what is installed).
 */
export function parseBenchArgs(argv) {
  const options = {
    sizeMib: 1024,
    reps: 3,
    seed: 1,
    work: '/tmp/cairn-bench',
    tools: null,
    dataset: null,
    harness: null,
    out: null,
    write: true,
    help: false,
    only: null,
    journalFiles: 100000,
    remoteSizeMib: 256,
    remoteBackends: [...REMOTE_BACKENDS],
    indexChunks: [1_000_000, 3_000_000, 10_000_000],
  };
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') {
      options.help = true;
      continue;
    }
    if (arg === '--no-write') {
      options.write = false;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}" (see --help)`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!VALUE_OPTIONS.includes(name)) throw new UsageError(`unknown option "${name}" (see --help)`);
    let value;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
      i++;
    }
    if (value === '') throw new UsageError(`${name} needs a value`);
    switch (name) {
      case '--size-mib':
        options.sizeMib = positiveInt(name, value);
        break;
      case '--reps':
        options.reps = positiveInt(name, value);
        break;
      case '--seed':
        options.seed = positiveInt(name, value);
        break;
      case '--work':
        options.work = value;
        break;
      case '--tools':
        options.tools = parseTools(value);
        break;
      case '--dataset':
        options.dataset = value;
        break;
      case '--harness':
        options.harness = value;
        break;
      case '--out':
        options.out = value;
        break;
      case '--only':
        if (!PARTS.includes(value)) throw new UsageError(`--only takes one of: ${PARTS.join(', ')} (not "${value}")`);
        options.only = value;
        break;
      case '--journal-files':
        options.journalFiles = positiveInt(name, value);
        break;
      case '--remote-size-mib':
        options.remoteSizeMib = positiveInt(name, value);
        break;
      case '--remote-backends':
        options.remoteBackends = parseRemoteBackends(value);
        break;
      case '--index-chunks':
        options.indexChunks = value
          .split(/[\s,]+/)
          .filter(Boolean)
          .map((n) => positiveInt(name, n));
        if (options.indexChunks.length === 0) throw new UsageError(`${name} needs at least one chunk count`);
        break;
      default:
        throw new UsageError(`unknown option "${name}" (see --help)`);
    }
  }
  return options;
}
