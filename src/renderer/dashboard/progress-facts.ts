/**
 * How the Activity panel words a running task's progress: files and data done of the total (when
 * known), and the time left, or, while a first backup still counts its folders, how many files
 * that count has found, since there is no total to estimate from yet.
 */
import { formatBytes, formatEta } from '../format.js';
import type { TaskData } from '../store.js';

type Progress = NonNullable<TaskData['progress']>;

export interface ProgressFacts {
  files: string;
  data: string;
  timeLeft: string;
  /** The progress bar's value and maximum, when the total is known. */
  bar: { value: number; max: number } | null;
}

export function progressFacts(progress: Progress): ProgressFacts {
  const total = progress.totalBytes !== null && progress.totalBytes > 0 ? progress.totalBytes : null;
  const counting = progress.counting ?? null;
  let timeLeft: string;
  if (progress.etaSeconds !== null) timeLeft = formatEta(progress.etaSeconds);
  else if (counting) timeLeft = `counting files… (${counting.files.toLocaleString()} so far)`;
  else timeLeft = 'estimating…';
  return {
    files: `${progress.files.toLocaleString()}${progress.filesTotal ? ` of about ${progress.filesTotal.toLocaleString()}` : ''}`,
    data: `${formatBytes(progress.bytes)}${total !== null ? ` of ${formatBytes(total)}` : ''}`,
    timeLeft,
    // Files can grow while they are read: the bar stops full rather than past its end.
    bar: total !== null ? { value: Math.min(progress.bytes, total), max: total } : null,
  };
}
