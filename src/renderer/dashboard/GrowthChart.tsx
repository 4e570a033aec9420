/**
 * The growth of a repository per recovery point, drawn as SVG by hand: one bar per point for the
 * data it added (after deduplication and compression), and a line for the running total. For
 * screen readers it is one image with a summary, backed by a table of the same numbers.
 */
import type { z } from 'zod';
import type { SnapshotInfo } from '../../contract/schemas.js';
import { formatBytes } from '../format.js';
import { formatDateTime, formatShortDate } from '../when.js';

type Point = z.output<typeof SnapshotInfo>;

/** The most recent points drawn; older ones are summed into the first bar's running total. */
export const MAX_BARS = 30;

const WIDTH = 600;
const HEIGHT = 180;
const PAD = { top: 12, right: 8, bottom: 28, left: 8 };

export interface GrowthSeries {
  points: { id: string; time: string; added: number; total: number }[];
  /** Added bytes of points too old to draw, counted into the totals. */
  before: number;
}

/** Oldest first, the last MAX_BARS points with each one's added bytes and the running total. */
export function growthSeries(snapshots: Point[]): GrowthSeries {
  const ordered = [...snapshots].sort((a, b) => a.time.localeCompare(b.time));
  const hidden = ordered.slice(0, Math.max(0, ordered.length - MAX_BARS));
  const before = hidden.reduce((sum, s) => sum + s.dataAddedStored, 0);
  let total = before;
  const points = ordered.slice(hidden.length).map((s) => {
    total += s.dataAddedStored;
    return { id: s.id, time: s.time, added: s.dataAddedStored, total };
  });
  return { points, before };
}

export function GrowthChart({ label, snapshots }: { label: string; snapshots: Point[] }) {
  const { points } = growthSeries(snapshots);
  if (points.length === 0) return null;
  const first = points[0]!;
  const last = points.at(-1)!;
  const largest = points.reduce((a, b) => (b.added > a.added ? b : a));
  const maxTotal = Math.max(1, last.total);
  const maxAdded = Math.max(1, largest.added);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = plotW / points.length;
  const barW = Math.max(2, step * 0.6);
  const x = (i: number) => PAD.left + step * i + step / 2;
  const yTotal = (v: number) => PAD.top + plotH - (v / maxTotal) * plotH;
  const barH = (v: number) => (v / maxAdded) * plotH;
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${yTotal(p.total).toFixed(1)}`).join(' ');

  const summary =
    `Growth of ${label}: ${points.length} recovery point${points.length === 1 ? '' : 's'} ` +
    `from ${formatDateTime(first.time)} to ${formatDateTime(last.time)}, ` +
    `${formatBytes(last.total)} stored in total; the largest addition was ${formatBytes(largest.added)} ` +
    `on ${formatDateTime(largest.time)}.`;

  return (
    <figure className="growth">
      <svg className="growth-chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        <line className="axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top + plotH} y2={PAD.top + plotH} />
        {points.map((p, i) => (
          <rect
            key={p.id}
            className="bar"
            x={x(i) - barW / 2}
            width={barW}
            y={PAD.top + plotH - barH(p.added)}
            height={Math.max(p.added > 0 ? 1 : 0, barH(p.added))}
          >
            <title>
              {formatDateTime(p.time)}: {formatBytes(p.added)} added
            </title>
          </rect>
        ))}
        <path className="total" d={line} />
        {points.map((p, i) => (
          <circle key={p.id} className="total-dot" cx={x(i)} cy={yTotal(p.total)} r={2.5} />
        ))}
        <text className="tick" x={PAD.left} y={HEIGHT - 8}>
          {formatShortDate(first.time)}
        </text>
        <text className="tick" x={WIDTH - PAD.right} y={HEIGHT - 8} textAnchor="end">
          {formatShortDate(last.time)}
        </text>
      </svg>
      <figcaption className="growth-legend" aria-hidden="true">
        <span className="key key-bar" /> added by each recovery point <span className="key key-total" /> total stored
      </figcaption>
      <table className="visually-hidden">
        <caption>Growth of {label} per recovery point</caption>
        <thead>
          <tr>
            <th scope="col">Recovery point</th>
            <th scope="col">Added</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.id}>
              <th scope="row">{formatDateTime(p.time)}</th>
              <td>{formatBytes(p.added)}</td>
              <td>{formatBytes(p.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
