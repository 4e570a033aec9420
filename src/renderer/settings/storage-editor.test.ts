import { describe, expect, it } from 'vitest';
import { editorFrom, editorParams, editorProblem, type StoredStorage } from './storage-editor.js';

const none = { sftpPassword: false, sftpPassphrase: false, s3AccessKeyId: false, s3SecretAccessKey: false };

function stored(kind: 'sftp' | 's3', change: Partial<StoredStorage> = {}): StoredStorage {
  return {
    repositoryId: 'r1',
    kind,
    location: kind === 'sftp' ? 'sftp://alice@nas/srv/cairn' : 's3://s3.example.net/bucket',
    settings: {},
    credentialsHeld: none,
    ...change,
  };
}

describe('the storage settings form', () => {
  it('keeps a held password when only the transfer limits change', () => {
    const s = stored('sftp', { credentialsHeld: { ...none, sftpPassword: true } });
    const e = { ...editorFrom(s), uploadKiBps: '256', connections: '2' };
    expect(e.sftpAuth).toBe('password');
    expect(editorProblem(s, e)).toBeNull();
    expect(editorParams(s, e)).toEqual({
      repositoryId: 'r1',
      storage: { transfer: { uploadKiBps: 256, connections: 2 }, sftp: {} },
    });
  });

  it('replaces the password when one is typed, and drops it when the sign-in changes to the agent', () => {
    const s = stored('sftp', { credentialsHeld: { ...none, sftpPassword: true } });
    expect(editorParams(s, { ...editorFrom(s), sftpPassword: 'new' }).credentials).toEqual({ sftpPassword: 'new' });
    expect(editorParams(s, { ...editorFrom(s), sftpAuth: 'agent' }).credentials).toEqual({});
  });

  it('reads and writes the key file, known hosts and trusted key', () => {
    const key = `SHA256:${'k'.repeat(43)}`;
    const s = stored('sftp', {
      settings: {
        sftp: { identityFile: '/k', knownHostsFile: '/kh', acceptHostKey: key },
        transfer: { downloadKiBps: 64 },
      },
    });
    const e = editorFrom(s);
    expect(e).toMatchObject({ sftpAuth: 'key', identityFile: '/k', knownHostsFile: '/kh', downloadKiBps: '64' });
    expect(editorParams(s, e)).toEqual({
      repositoryId: 'r1',
      storage: {
        transfer: { downloadKiBps: 64 },
        sftp: { identityFile: '/k', knownHostsFile: '/kh', acceptHostKey: key },
      },
    });
    expect(editorParams(s, { ...e, acceptHostKey: '' }).storage?.sftp).toEqual({
      identityFile: '/k',
      knownHostsFile: '/kh',
    });
  });

  it('says what is wrong with a limit or missing keys', () => {
    const s = stored('s3');
    const e = editorFrom(s);
    expect(e.s3Keys).toBe('environment');
    expect(editorProblem(s, { ...e, connections: '0' })).toMatch(/connections is a whole number from 1 to 64/);
    expect(editorProblem(s, { ...e, uploadKiBps: '1.5' })).toMatch(/upload limit/);
    expect(editorProblem(s, { ...e, s3Keys: 'typed' })).toMatch(/access key/);
    expect(editorProblem(s, { ...e, s3Keys: 'typed', s3AccessKeyId: 'AK' })).toMatch(/both/);
    expect(editorParams(s, { ...e, s3Keys: 'typed', s3AccessKeyId: 'AK', s3SecretAccessKey: 'SK' })).toEqual({
      repositoryId: 'r1',
      storage: { transfer: {}, s3: { pathStyle: true } },
      credentials: { s3AccessKeyId: 'AK', s3SecretAccessKey: 'SK' },
    });
  });

  it('drops held S3 keys when they are to come from the environment', () => {
    const s = stored('s3', { credentialsHeld: { ...none, s3AccessKeyId: true, s3SecretAccessKey: true } });
    expect(editorFrom(s).s3Keys).toBe('typed');
    expect(editorParams(s, { ...editorFrom(s), s3Keys: 'environment' }).credentials).toEqual({});
    expect(editorParams(s, editorFrom(s)).credentials).toBeUndefined();
  });
});
