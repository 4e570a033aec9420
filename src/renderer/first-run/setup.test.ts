import { describe, expect, it } from 'vitest';
import { initialStorageForm } from '../common/storage-form.js';
import { repositoryName } from './setup.js';

describe('repositoryName', () => {
  it('is what the person typed, trimmed', () => {
    expect(repositoryName({ label: '  Photos disk ', storage: initialStorageForm() })).toBe('Photos disk');
  });

  it('is the default of the kind of storage when left empty, as the hint says', () => {
    const storage = initialStorageForm();
    expect(repositoryName({ label: ' ', storage })).toBe('Backups');
    expect(repositoryName({ label: '', storage: { ...storage, kind: 's3' } })).toBe('Cloud bucket');
    expect(repositoryName({ label: '', storage: { ...storage, kind: 'sftp' } })).toBe('Home server');
  });
});
