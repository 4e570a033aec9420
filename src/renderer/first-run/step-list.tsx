/**
 * First run's steps, in order (STEPS): each is one entry — its title, whether it applies to this
 * setup, what blocks going on, what happens when it is left (engine calls: the repository is made
 * when the password step is left; folders, exclusions and schedule are saved when the schedule step
 * is left; consent for what was ticked when the privacy step is left) and its view in steps/.
 */

import type { ReactNode } from 'react';
import { rememberIfAsked } from '../api/vault.js';
import { regionTransferParam } from '../common/RegionInstruction.js';
import { locationParams, locationProblem, remoteRegionProblem } from '../common/storage-form.js';
import type { AppState } from '../store.js';
import { excludesFor } from './presets.js';
import { repositoryName, type Setup, type StepProps } from './setup.js';
import { DoneStep } from './steps/DoneStep.js';
import { ExclusionsStep } from './steps/ExclusionsStep.js';
import { FoldersStep } from './steps/FoldersStep.js';
import { PasswordStep } from './steps/PasswordStep.js';
import { PrivacyStep } from './steps/PrivacyStep.js';
import { RecoveryKitStep } from './steps/RecoveryKitStep.js';
import { ScheduleStep } from './steps/ScheduleStep.js';
import { StorageStep } from './steps/StorageStep.js';

export interface Step {
  id: string;
  title: string;
  /** Steps that do not apply to this setup are skipped. */
  applies?: (setup: Setup) => boolean;
  /** Why the user cannot go on yet, or null. */
  blocker: (setup: Setup) => string | null;
  /** Runs when the user goes on (may call the engine); throws to stay. */
  leave?: (setup: Setup, ctx: LeaveContext) => Promise<Partial<Setup> | undefined>;
  render: (props: StepProps) => ReactNode;
}

export interface LeaveContext {
  request: AppState['request'];
}

export const STEPS: Step[] = [
  {
    id: 'storage',
    title: 'Storage',
    blocker: (s) => locationProblem(s.storage) ?? remoteRegionProblem(s.storage.kind, s.region),
    render: (p) => <StorageStep {...p} />,
  },
  {
    id: 'password',
    title: 'Password',
    blocker: (s) =>
      s.password === ''
        ? 'Enter a password.'
        : s.mode === 'create' && s.password !== s.confirmation
          ? 'The two passwords are not the same.'
          : null,
    leave: async (s, { request }) => {
      if (s.repository) return undefined;
      // The storage's secrets go with the request: the engine holds them for the session (and the
      // desktop keeps them in the keychain), never in what it records.
      // With no chosen region yet (the first repository), a region picked here becomes it, as the
      // storage step says: from then on data stays there unless the person instructs otherwise.
      // "This device" and "another country" choose nothing (a copy on this device is no transfer).
      if (s.region !== 'this-device' && s.region !== 'other') {
        const regions = await request('privacy.region.get', {});
        if (regions.chosen === null) await request('privacy.region.set', { region: s.region });
      }
      const params = {
        ...locationParams(s.storage),
        label: repositoryName(s),
        region: s.region,
        ...regionTransferParam(s.regionInstruction),
        password: s.password,
      };
      const repository =
        s.mode === 'create' ? await request('repo.create', params) : await request('repo.connect', params);
      // Desktop only, through the bridge (never the engine): main unlocks with the password once
      // more and keeps it sealed by the keychain only if that worked.
      const rememberNote = await rememberIfAsked(s.rememberPassword, repository.id, s.password);
      return { repository, rememberNote };
    },
    render: (p) => <PasswordStep {...p} />,
  },
  {
    id: 'recovery-kit',
    title: 'Recovery kit',
    applies: (s) => s.mode === 'create',
    blocker: (s) =>
      !s.kit ? 'Make the recovery kit first.' : !s.kitSaved ? 'Confirm that you saved the recovery key.' : null,
    render: (p) => <RecoveryKitStep {...p} />,
  },
  {
    id: 'folders',
    title: 'Folders',
    blocker: (s) => (s.folders.length === 0 ? 'Add at least one folder to back up.' : null),
    render: (p) => <FoldersStep {...p} />,
  },
  { id: 'exclusions', title: 'Exclusions', blocker: () => null, render: (p) => <ExclusionsStep {...p} /> },
  {
    id: 'schedule',
    title: 'Schedule',
    blocker: () => null,
    leave: async (s, { request }) => {
      const repositoryId = s.repository?.id;
      if (!repositoryId) throw new Error('The repository is not set up yet.');
      const existing = await request('sources.list', { repositoryId });
      const excludes = excludesFor(s.presets);
      for (const folder of s.folders) {
        const source =
          existing.find((x) => x.path === folder) ??
          (await request('sources.add', { repositoryId, path: folder, excludes }));
        const schedule =
          s.schedule.kind === 'hourly'
            ? { kind: 'interval' as const, minutes: s.schedule.hours * 60 }
            : s.schedule.kind === 'daily'
              ? { kind: 'daily' as const, times: [s.schedule.time] }
              : null;
        await request('sources.setSchedule', { id: source.id, schedule });
      }
      return undefined;
    },
    render: (p) => <ScheduleStep {...p} />,
  },
  {
    id: 'privacy',
    title: 'Privacy',
    blocker: () => null,
    leave: async (s, { request }) => {
      // Only what was ticked is recorded as given; nothing optional is on by default.
      if (s.usageStatistics) await request('consent.set', { purpose: 'usage-statistics', given: true, via: 'app' });
      return undefined;
    },
    render: (p) => <PrivacyStep {...p} />,
  },
  { id: 'done', title: 'Done', blocker: () => null, render: (p) => <DoneStep {...p} /> },
];
