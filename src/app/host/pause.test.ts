/**
 * The pause rules over a real catalog: a timed pause, one until resumed (kept as such, with no end
 * time), resuming, a pause that has ended reading as none, refusals that change nothing, and the
 * app's pause summed up from its folders (all or some, until the last end or until resumed).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CairnError } from '../../engine/errors.js';
import { Catalog } from '../catalog/catalog.js';
import { pauseSources, pauseSummary, sourcePause } from './pause.js';

const HOUR = 3_600_000;
const now = new Date('2026-11-26T12:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms).toISOString();

let dir: string;
let catalog: Catalog;
let ids: number[];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-pause-'));
  catalog = Catalog.open(dir);
  catalog.addRepository({ id: 'r1', location: path.join(dir, 'one'), label: 'One', region: 'this-device' });
  catalog.addRepository({ id: 'r2', location: path.join(dir, 'two'), label: 'Two', region: 'this-device' });
  ids = [
    catalog.addSource({ repositoryId: 'r1', path: path.resolve('/home/me/docs') }).id,
    catalog.addSource({ repositoryId: 'r1', path: path.resolve('/home/me/photos') }).id,
    catalog.addSource({ repositoryId: 'r2', path: path.resolve('/home/me/music') }).id,
  ];
});
afterEach(async () => {
  catalog.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const pauses = () => catalog.listSources().map((s) => sourcePause(s, now));

describe('pauseSources', () => {
  it('pauses every folder until a time, normalised to UTC', () => {
    const paused = pauseSources(catalog, { until: '2026-11-26T15:30:00+02:00' }, now);
    expect(paused.map((s) => s.id)).toEqual(ids);
    expect(pauses()).toEqual([at(1.5 * HOUR), at(1.5 * HOUR), at(1.5 * HOUR)]);
    expect(catalog.listSources().every((s) => !s.pausedUntilResumed)).toBe(true);
  });

  it('pauses until resumed as its own state, with no end time, and resumes', () => {
    pauseSources(catalog, { until: 'resumed', repositoryId: 'r1' }, now);
    const [docs, photos, music] = catalog.listSources();
    expect(docs).toMatchObject({ pausedUntil: null, pausedUntilResumed: true });
    expect(photos).toMatchObject({ pausedUntil: null, pausedUntilResumed: true });
    expect(music).toMatchObject({ pausedUntil: null, pausedUntilResumed: false });
    // It lasts: a year on, it still holds.
    const yearOn = new Date(now.getTime() + 400 * 24 * HOUR);
    expect(catalog.listSources().map((s) => sourcePause(s, yearOn))).toEqual(['resumed', 'resumed', null]);

    // A timed pause replaces it, and resuming clears both.
    pauseSources(catalog, { until: at(HOUR), sourceIds: [ids[0] ?? 0] }, now);
    expect(pauses()).toEqual([at(HOUR), 'resumed', null]);
    pauseSources(catalog, { until: null }, now);
    expect(pauses()).toEqual([null, null, null]);
    expect(catalog.listSources().some((s) => s.pausedUntilResumed || s.pausedUntil)).toBe(false);
  });

  it('reads a pause whose time has passed as none', () => {
    pauseSources(catalog, { until: at(HOUR) }, now);
    const later = new Date(now.getTime() + HOUR);
    expect(catalog.listSources().map((s) => sourcePause(s, later))).toEqual([null, null, null]);
  });

  it('refuses a past, too distant or unreadable end, unknown sources and repositories, changing nothing', () => {
    const refused = (request: Parameters<typeof pauseSources>[1]) => {
      try {
        pauseSources(catalog, request, now);
      } catch (err) {
        expect(err).toBeInstanceOf(CairnError);
        return (err as CairnError).message;
      }
      throw new Error('the pause was not refused');
    };
    expect(refused({ until: at(-1) })).toMatch(/must end in the future/);
    expect(refused({ until: at(367 * 24 * HOUR) })).toMatch(/at most 366 days; .*until you resume/);
    expect(refused({ until: 'someday' })).toMatch(/not a date and time/);
    expect(refused({ until: 'resumed', sourceIds: [999] })).toMatch(/no source 999/);
    expect(refused({ until: 'resumed', repositoryId: 'nope' })).toMatch(/no repository nope/);
    catalog.removeRepository('r1');
    catalog.removeRepository('r2');
    expect(refused({ until: 'resumed' })).toMatch(/no folders/);
  });
});

describe('pauseSummary', () => {
  it('is null with nothing paused, and says all or some, until the last end or until resumed', () => {
    expect(pauseSummary(catalog.listSources(), now)).toBeNull();
    pauseSources(catalog, { until: at(HOUR), repositoryId: 'r1' }, now);
    expect(pauseSummary(catalog.listSources(), now)).toEqual({ until: at(HOUR), folders: 'some' });
    pauseSources(catalog, { until: at(4 * HOUR), repositoryId: 'r2' }, now);
    // Every folder waits; the last of them resumes at 16:00.
    expect(pauseSummary(catalog.listSources(), now)).toEqual({ until: at(4 * HOUR), folders: 'all' });
    // Once the first pause has ended, only some are paused.
    const later = new Date(now.getTime() + 2 * HOUR);
    expect(pauseSummary(catalog.listSources(), later)).toEqual({ until: at(4 * HOUR), folders: 'some' });
    pauseSources(catalog, { until: 'resumed', sourceIds: [ids[1] ?? 0] }, now);
    expect(pauseSummary(catalog.listSources(), now)).toEqual({ until: null, folders: 'all' });
    expect(pauseSummary(catalog.listSources(), new Date(now.getTime() + 5 * HOUR))).toEqual({
      until: null,
      folders: 'some',
    });
  });
});
