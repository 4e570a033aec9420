/**
 * What First run collects, step by step (Setup), what each step's view is given (StepProps), and
 * the choices a new setup starts with.
 */
import type { Result } from '../../contract/methods.js';
import { initialStorageForm, type StorageForm } from '../common/storage-form.js';
import type { RegionCode } from '../format.js';
import type { PresetId, ScheduleChoice } from './presets.js';

export interface Setup {
  mode: 'create' | 'connect';
  /** Where the repository is: a folder, a drive, an SFTP server or an S3 bucket, with their fields. */
  storage: StorageForm;
  label: string;
  region: RegionCode;
  /** The user's instruction to store outside the chosen region (blank: none given). */
  regionInstruction: string;
  password: string;
  confirmation: string;
  /** Desktop app only: keep the password in the keychain vault once the repository is made. */
  rememberPassword: boolean;
  /** Why remembering the password did not work (the repository was made all the same), or null. */
  rememberNote: string | null;
  repository: Result<'repo.create'> | null;
  kit: Result<'keys.createRecoveryKey'> | null;
  kitSaved: boolean;
  folders: string[];
  presets: Set<PresetId>;
  schedule: ScheduleChoice;
  /** The optional purpose of the privacy notice: unticked until the person ticks it. */
  usageStatistics: boolean;
}

/** The name a repository gets when the person leaves Name empty, by kind of storage. */
export const DEFAULT_NAMES = {
  folder: 'Backups',
  drive: 'Backup drive',
  sftp: 'Home server',
  s3: 'Cloud bucket',
} as const satisfies Record<StorageForm['kind'], string>;

/** The repository's name: what the person typed, else the default for its kind of storage. */
export function repositoryName(setup: Pick<Setup, 'label' | 'storage'>): string {
  return setup.label.trim() || DEFAULT_NAMES[setup.storage.kind];
}

export interface StepProps {
  setup: Setup;
  update: (change: Partial<Setup>) => void;
}

export function initialSetup(): Setup {
  return {
    mode: 'create',
    storage: initialStorageForm(),
    label: '',
    region: 'this-device',
    regionInstruction: '',
    password: '',
    confirmation: '',
    rememberPassword: false,
    rememberNote: null,
    repository: null,
    kit: null,
    kitSaved: false,
    folders: [],
    presets: new Set<PresetId>(['caches', 'temp']),
    schedule: { kind: 'hourly', hours: 1 },
    usageStatistics: false,
  };
}
