/**
 * The backup and check services over a real repository: a backup plans with the watcher journal
 * (a rescan without a running watcher, saying why), is audited with its paths and counted for
 * the usage statistics, and a privacy record that cannot be written is a warning, not a failed
 * backup. A check that finds damage opens incidents and announces them; a full read and a
 * rolling-verification slice are remembered by the verification tracker.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Catalog } from '../../../src/app/catalog/catalog.js';
import { VerificationTracker } from '../../../src/app/catalog/verification.js';
import { openPrivacyRecords, type PrivacyRecords } from '../../../src/app/privacy/index.js';
import { openWatcherJournal, prepareBackup, runBackup } from '../../../src/app/services/backup.js';
import { checkRepository, verificationCoverage, verifySlice } from '../../../src/app/services/check.js';
import type { Repository } from '../../../src/engine/repo/repository.js';
import { flipByte, initLocalRepo, largestFile, makeTempDir, removeDir, seededBytes } from '../../engine/helpers.js';

let dir: string;
let src: string;
let dataDir: string;
let repo: Repository;
let repoDir: string;
let records: PrivacyRecords;

beforeEach(async () => {
  dir = await makeTempDir('services-backup');
  src = path.join(dir, 'src');
  dataDir = path.join(dir, 'data');
  await fs.mkdir(src, { recursive: true });
  await fs.writeFile(path.join(src, 'a.bin'), seededBytes('a', 300_000));
  await fs.writeFile(path.join(src, 'b.txt'), 'hello');
  ({ repo, repoDir } = await initLocalRepo(dir));
  records = openPrivacyRecords(dataDir, 'cli');
});
afterEach(async () => {
  await repo.close();
  await removeDir(dir);
});

describe('backup', () => {
  it('plans with the journal, commits it, and records the backup', async () => {
    const warnings: string[] = [];
    const journal = openWatcherJournal(dataDir, (w) => warnings.push(w));
    if (!journal) throw new Error('the journal did not open');
    const counted = vi.spyOn(records.usage, 'recordBackup');
    try {
      const prepared = prepareBackup({ paths: [src], tags: ['t'] }, journal);
      const {
        snapshot,
        scan,
        warnings: unreadable,
      } = await runBackup(repo, prepared, {
        records: { privacy: () => records, warn: (w) => warnings.push(w) },
        onWarning: (w) => warnings.push(w),
      });
      expect(snapshot.tags).toEqual(['t']);
      expect(unreadable).toEqual([]);
      // No watcher runs here: a full rescan, and the journal says why.
      expect(scan.usedJournal).toBe(false);
      expect(scan.reason).toEqual(expect.any(String));
      expect(journal.backupMark(src)).toMatchObject({ snapshotId: snapshot.id });
      expect(warnings).toEqual([]);
      const audited = records.audit.entries().filter((e) => e.action === 'backup.completed');
      expect(audited.map((e) => e.details)).toEqual([
        expect.objectContaining({ snapshotId: snapshot.id, paths: [src], files: 2, partial: false }),
      ]);
      expect(counted).toHaveBeenCalledWith(snapshot.summary.totalBytes);
    } finally {
      journal.close();
    }
  });

  it('without a journal it rescans, and records it cannot write are warnings only', async () => {
    const warnings: string[] = [];
    const { snapshot, scan } = await runBackup(repo, prepareBackup({ paths: [src] }, undefined), {
      records: {
        privacy: () => {
          throw new Error('the data folder is read-only');
        },
        warn: (w) => warnings.push(w),
      },
    });
    expect(snapshot.summary.totalFiles).toBe(2);
    expect(scan).toEqual({ usedJournal: false, reason: null, reusedFolders: 0 });
    expect(warnings).toEqual([
      // The recovery point is written without an anchor of the audit trail, and says so.
      "the audit trail's head could not be anchored in this backup: the data folder is read-only",
      'the audit trail entry backup.completed could not be written: the data folder is read-only',
      'could not update the privacy records (usage statistics): the data folder is read-only',
    ]);
    expect(snapshot.audit).toBeUndefined();
  });
});

describe('check', () => {
  const repository = () => ({ id: repo.config.id, label: 'Disk' });

  it('a clean check opens no incident; damage opens incidents and counts for rolling verification', async () => {
    await runBackup(repo, prepareBackup({ paths: [src] }, undefined));
    const catalog = Catalog.open(path.join(dir, 'catalog'));
    try {
      const tracker = new VerificationTracker(catalog);
      const changed = vi.fn();
      const deps = {
        repository: repository(),
        source: 'a check',
        records: { privacy: () => records, warn: () => {}, incidentsChanged: changed },
        verification: tracker,
      };
      const clean = await checkRepository(repo, { kind: 'all' }, deps);
      expect(clean.result.ok).toBe(true);
      expect(clean.incidents).toEqual([]);
      expect(changed).not.toHaveBeenCalled();
      const coverage = await verificationCoverage(repo.backend, tracker, repo.config.id, 30);
      expect(coverage.verifiedShare).toBe(1);

      const { file } = await largestFile(path.join(repoDir, 'data'));
      await flipByte(file, 200);
      const damaged = await checkRepository(repo, { kind: 'all' }, deps);
      expect(damaged.result.ok).toBe(false);
      expect(damaged.incidents.length).toBeGreaterThan(0);
      expect(damaged.incidents[0]?.findings.at(-1)?.text).toMatch(/^a check found \d+ problem/);
      expect(changed).toHaveBeenCalledTimes(1);
      expect(records.incidents.list({ openOnly: true })).toHaveLength(damaged.incidents.length);
      expect(tracker.failures(repo.config.id)).toHaveLength(1);
    } finally {
      catalog.close();
    }
  });

  it('a verification slice reads the packs verified longest ago and records coverage', async () => {
    await runBackup(repo, prepareBackup({ paths: [src] }, undefined));
    const catalog = Catalog.open(path.join(dir, 'catalog'));
    try {
      const tracker = new VerificationTracker(catalog);
      const planned: [number, number][] = [];
      const outcome = await verifySlice(repo, {
        repository: repository(),
        source: 'rolling verification',
        records: { privacy: () => records, warn: () => {} },
        verification: tracker,
        windowDays: 30,
        onPlanned: (slice, all) => planned.push([slice, all]),
      });
      expect(outcome.result.ok).toBe(true);
      expect(planned).toEqual([[outcome.planned, outcome.packs]]);
      expect(outcome.result.packsVerified).toHaveLength(outcome.planned);
      expect(outcome.coverage.packsVerified).toBe(outcome.planned);
    } finally {
      catalog.close();
    }
  });

  it('a cancelled check stops at its next progress report', async () => {
    await runBackup(repo, prepareBackup({ paths: [src] }, undefined));
    const controller = new AbortController();
    let reports = 0;
    await expect(
      checkRepository(
        repo,
        { kind: 'all' },
        {
          repository: repository(),
          source: 'a check',
          records: { privacy: () => records, warn: () => {} },
          signal: controller.signal,
          onProgress: () => {
            reports++;
            controller.abort(new Error('cancelled'));
          },
        },
      ),
    ).rejects.toThrow('cancelled');
    expect(reports).toBe(1);
  });
});
