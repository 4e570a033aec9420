/** How the Recovery points and Restore screens name recovery points. */
import type { Result } from '../../contract/methods.js';
import { formatDateTime } from '../when.js';

export type Point = Result<'snapshots.list'>[number];

/** A recovery point's time: the app's one absolute format (../when.ts). */
export const formatTime = formatDateTime;

export function pointName(point: Point): string {
  return `${formatTime(point.time)} (${point.id.slice(0, 8)})`;
}
