/** Exclusion presets offered at first run, and the schedules a person can pick there. */
export const EXCLUSION_PRESETS = [
  {
    id: 'caches',
    title: 'Caches',
    description: 'Application and build caches that are made again when needed.',
    patterns: ['.cache/', 'Cache/', 'Caches/', '__pycache__/', '.gradle/caches/'],
  },
  {
    id: 'node_modules',
    title: 'node_modules',
    description: 'JavaScript dependencies, downloaded again by npm install.',
    patterns: ['node_modules/'],
  },
  {
    id: 'temp',
    title: 'Temporary files',
    description: 'Editor swap files, *.tmp files, Office lock files and system clutter.',
    patterns: ['*.tmp', '*.temp', '*.swp', '~$*', '.DS_Store', 'Thumbs.db'],
  },
] as const;

export type PresetId = (typeof EXCLUSION_PRESETS)[number]['id'];

export function excludesFor(presets: ReadonlySet<PresetId>): string[] {
  return EXCLUSION_PRESETS.filter((p) => presets.has(p.id)).flatMap((p) => [...p.patterns]);
}

export type ScheduleChoice = { kind: 'hourly'; hours: number } | { kind: 'daily'; time: string } | { kind: 'manual' };
