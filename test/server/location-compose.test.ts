/**
 * The storage fields of the app compose a location exactly as the engine reads and writes it:
 * parsing what the fields make and formatting it again gives the same text, so the app records
 * and shows the canonical form the command line takes too.
 */
import { describe, expect, it } from 'vitest';
import { formatLocation, parseLocation } from '../../src/engine/backend/location.js';
import { composeLocation, initialStorageForm, type StorageForm } from '../../src/renderer/common/storage-form.js';

function form(change: Partial<StorageForm>): StorageForm {
  return { ...initialStorageForm(), ...change };
}

describe('the app’s storage fields and the engine’s locations', () => {
  const base = initialStorageForm();
  const cases: StorageForm[] = [
    form({ kind: 'sftp', sftp: { ...base.sftp, host: 'nas.example.net', user: 'alice', path: '/srv/cairn' } }),
    form({ kind: 'sftp', sftp: { ...base.sftp, host: '10.0.0.2', port: '2222', user: 'bob', path: '/srv/a b/' } }),
    form({ kind: 'sftp', sftp: { ...base.sftp, host: '::1', port: '22', user: 'c@d', path: '/x/ü' } }),
    form({ kind: 's3', s3: { ...base.s3, endpoint: 's3.eu-central-1.amazonaws.com', bucket: 'team-backups' } }),
    form({ kind: 's3', s3: { ...base.s3, endpoint: '127.0.0.1:7480', tls: false, bucket: 'b-1', prefix: 'lap/top' } }),
    form({ kind: 's3', s3: { ...base.s3, endpoint: '[::1]:9000', bucket: 'bkt', prefix: '/p/' } }),
  ];

  it.each(cases.map((c) => [composeLocation(c), c] as const))('%s is canonical', (location) => {
    expect(formatLocation(parseLocation(location))).toBe(location);
  });
});
