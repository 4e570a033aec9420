/** How the renderer words numbers, ages and places for people: byte sizes, "3 hours ago", ETAs, regions. */
import type { z } from 'zod';
import type { Region } from '../contract/schemas.js';

/** Sizes are worded in binary units, the same as the command line (../contract/units.ts). */
export { formatBytes } from '../contract/units.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago" (a time in the future reads "just now"). */
export function formatAge(iso: string, now: Date): string {
  const seconds = Math.floor((now.getTime() - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(seconds)) return 'at an unknown time';
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${plural(minutes, 'minute')} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${plural(hours, 'hour')} ago`;
  return `${plural(Math.floor(hours / 24), 'day')} ago`;
}

/** "about 40 seconds left", "about 12 minutes left", "about 2 h 5 min left". */
export function formatEta(seconds: number): string {
  if (seconds < 60) return `about ${plural(Math.max(1, Math.round(seconds)), 'second')} left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${plural(minutes, 'minute')} left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

export type RegionCode = z.output<typeof Region>;

/** What each kind of storage location is called (RepositoryInfo.kind). */
export const STORAGE_KIND_NAMES = {
  local: 'A folder on this computer or a drive',
  sftp: 'An SFTP server',
  s3: 'An S3-compatible bucket',
} as const;

export const REGION_NAMES: Record<RegionCode, string> = {
  'this-device': 'This device',
  EU: 'European Union',
  UK: 'United Kingdom',
  CH: 'Switzerland',
  US: 'United States',
  CA: 'Canada',
  AU: 'Australia',
  JP: 'Japan',
  other: 'Another country',
};
