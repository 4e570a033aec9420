/**
 * Facts about the machine and software a benchmark ran on (OS, CPU, memory, Node, restic, Cairn
 * build), for the report. Every probe degrades to a readable "unknown"/"not installed" instead of throwing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** First line of a command's stdout, or null when it cannot run or fails. */
function firstLine(command, args, options = {}) {
  try {
    const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], ...options });
    const line = out.split('\n')[0]?.trim();
    return line ? line : null;
  } catch {
    return null;
  }
}

/** Whether an executable is on PATH. */
export function hasCommand(name) {
  return firstLine('bash', ['-c', `command -v ${name}`]) !== null;
}

function cpuModel() {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) return match[1].trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return os.cpus()[0]?.model?.trim() || 'unknown';
}

/** The Cairn build being measured: version from the CLI, git commit and whether the tree has local edits. */
function cairnBuild(root) {
  const version = firstLine(process.execPath, [path.join(root, 'bin', 'cairn.mjs'), '--version']) ?? 'unknown version';
  const commit = firstLine('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
  if (!commit) return version;
  const dirty = firstLine('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no']) !== null;
  return `${version}, commit ${commit}${dirty ? ' with uncommitted changes' : ''}`;
}

/** { os, cpu, cores, memoryGiB, node, restic, cairn } */
export function machineInfo(root) {
  return {
    os: firstLine('uname', ['-srm']) ?? `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    restic: hasCommand('restic') ? (firstLine('restic', ['version']) ?? 'installed, version unknown') : 'not installed',
    cairn: cairnBuild(root),
  };
}
