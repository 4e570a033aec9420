/** How the Recovery points and Restore screens name recovery points. */
import type { Result } from '../../contract/methods.js';

export type Point = Result<'snapshots.list'>[number];

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function pointName(point: Point): string {
  return `${formatTime(point.time)} (${point.id.slice(0, 8)})`;
}
