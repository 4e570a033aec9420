/** How the Recovery points and Restore screens name recovery points. */
import type { Result } from '../../contract/methods.js';
import { formatDateTime } from '../when.js';

export type Point = Result<'snapshots.list'>[number];

export function pointName(point: Point): string {
  return `${formatDateTime(point.time)} (${point.id.slice(0, 8)})`;
}
