/**
 * The space a repository uses, per recovery point, drawn as SVG by hand (a chart library would
 * weigh more than the whole screen): a line for the total stored and one bar per point for the
 * data it added (after deduplication and compression), both on one size axis with round values
 * in binary units, the points evenly spaced along the time axis with labels that tell them apart
 * (chart-axes.ts), and a tooltip per point. For screen readers it is one image with a summary,
 * backed by a table of the same numbers.
 */
import type { z } from 'zod';
import type { SnapshotInfo } from '../../contract/schemas.js';
import { formatBytes } from '../format.js';
import { formatDateTime } from '../when.js';
import { byteTicks, labelledIndexes, pointLabels } from './chart-axes.js';

type Point = z.output<typeof SnapshotInfo>;

/** The most recent points drawn; older ones are summed into the first bar's running total. */
export const MAX_BARS = 30;

const WIDTH = 600;
const HEIGHT = 180;
const PAD = { top: 12, right: 12, bottom: 28, left: 64 };
/** A bar never wider than this, so one recovery point is not a block across the chart. */
const MAX_BAR = 28;
/** Room for one label under the axis. */
const LABEL_GAP = 84;

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
  const ticks = byteTicks(last.total);
  const top = Math.max(1, ticks.at(-1)?.value ?? last.total);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = plotW / points.length;
  const barW = Math.min(MAX_BAR, Math.max(2, step * 0.6));
  const x = (i: number) => PAD.left + step * i + step / 2;
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.total).toFixed(1)}`).join(' ');
  const names = pointLabels(points.map((p) => p.time));
  const labelled = labelledIndexes(points.length, plotW, LABEL_GAP);

  const summary =
    `Growth of ${label}: ${points.length} recovery point${points.length === 1 ? '' : 's'} ` +
    `from ${formatDateTime(first.time)} to ${formatDateTime(last.time)}, ` +
    `${formatBytes(last.total)} stored in total; the largest addition was ${formatBytes(largest.added)} ` +
    `on ${formatDateTime(largest.time)}.`;

  return (
    <figure className="growth">
      <svg className="growth-chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        {ticks.map((tick) => (
          <g key={tick.value}>
            <line
              className={tick.value === 0 ? 'axis' : 'grid'}
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(tick.value)}
              y2={y(tick.value)}
            />
            <text className="tick tick-size" x={PAD.left - 6} y={y(tick.value) + 4} textAnchor="end">
              {tick.label}
            </text>
          </g>
        ))}
        {points.map((p, i) => (
          <rect
            key={p.id}
            className="bar"
            x={x(i) - barW / 2}
            width={barW}
            y={y(p.added)}
            height={Math.max(p.added > 0 ? 1 : 0, PAD.top + plotH - y(p.added))}
          />
        ))}
        <path className="total" d={line} />
        {points.map((p, i) => (
          <circle key={p.id} className="total-dot" cx={x(i)} cy={y(p.total)} r={2.5} />
        ))}
        {labelled.map((i) => (
          <text
            key={points[i]!.id}
            className="tick tick-point"
            x={x(i)}
            y={HEIGHT - 8}
            textAnchor={
              labelled.length > 1 && i === 0
                ? 'start'
                : i === points.length - 1 && labelled.length > 1
                  ? 'end'
                  : 'middle'
            }
          >
            {names[i]}
          </text>
        ))}
        {points.map((p, i) => (
          // The whole column is the tooltip's target, not only the (possibly tiny) bar.
          <rect key={p.id} className="hit" x={x(i) - step / 2} width={step} y={PAD.top} height={plotH}>
            <title>
              {formatDateTime(p.time)}: {formatBytes(p.added)} added, {formatBytes(p.total)} stored in all
            </title>
          </rect>
        ))}
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
