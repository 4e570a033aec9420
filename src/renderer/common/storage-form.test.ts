import { describe, expect, it } from 'vitest';
import {
  composeLocation,
  credentialsOf,
  initialStorageForm,
  locationParams,
  locationProblem,
  remoteRegionProblem,
  type StorageForm,
  splitEndpoint,
} from './storage-form.js';

function sftp(change: Partial<StorageForm['sftp']> = {}): StorageForm {
  const form = initialStorageForm();
  return {
    ...form,
    kind: 'sftp',
    sftp: { ...form.sftp, host: 'nas.example.net', user: 'alice', path: '/srv/cairn', ...change },
  };
}

function s3(change: Partial<StorageForm['s3']> = {}): StorageForm {
  const form = initialStorageForm();
  return {
    ...form,
    kind: 's3',
    s3: {
      ...form.s3,
      endpoint: 's3.example.net',
      bucket: 'team-backups',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      ...change,
    },
  };
}

describe('composeLocation', () => {
  it('writes a folder as typed, trimmed', () => {
    expect(composeLocation({ ...initialStorageForm(), folder: '  /mnt/disk/cairn ' })).toBe('/mnt/disk/cairn');
  });

  it('writes an SFTP location as formatLocation does: port 22 left out, the user and path escaped', () => {
    expect(composeLocation(sftp())).toBe('sftp://alice@nas.example.net/srv/cairn');
    expect(composeLocation(sftp({ port: '2222', path: '/srv/my backups/' }))).toBe(
      'sftp://alice@nas.example.net:2222/srv/my%20backups',
    );
    expect(composeLocation(sftp({ user: 'a@b', host: '::1' }))).toBe('sftp://a%40b@[::1]/srv/cairn');
  });

  it('writes an S3 location with its scheme, port, bucket and prefix', () => {
    expect(composeLocation(s3())).toBe('s3://s3.example.net/team-backups');
    expect(composeLocation(s3({ endpoint: '127.0.0.1:7480', tls: false, prefix: '/laptop//cairn/' }))).toBe(
      's3+http://127.0.0.1:7480/team-backups/laptop/cairn',
    );
    expect(composeLocation(s3({ endpoint: '[::1]:9000' }))).toBe('s3://[::1]:9000/team-backups');
  });
});

describe('splitEndpoint', () => {
  it('splits host and port, IPv6 in brackets', () => {
    expect(splitEndpoint('s3.example.net')).toEqual({ host: 's3.example.net', port: '' });
    expect(splitEndpoint(' 10.0.0.2:7480 ')).toEqual({ host: '10.0.0.2', port: '7480' });
    expect(splitEndpoint('[fd00::1]:9000')).toEqual({ host: '[fd00::1]', port: '9000' });
  });
});

describe('locationProblem', () => {
  it('says what is missing, in order', () => {
    expect(locationProblem(initialStorageForm())).toBe('Choose where the backups are stored.');
    expect(locationProblem(sftp({ host: '' }))).toMatch(/server’s name/);
    expect(locationProblem(sftp({ port: '70000' }))).toMatch(/port/);
    expect(locationProblem(sftp({ user: '' }))).toMatch(/user name/);
    expect(locationProblem(sftp({ path: 'srv/cairn' }))).toMatch(/absolute path/);
    expect(locationProblem(sftp({ path: '/srv/../etc' }))).toMatch(/“\.\.”/);
    expect(locationProblem(sftp({ auth: 'key' }))).toBe('Choose the key file.');
    expect(locationProblem(sftp({ auth: 'password' }))).toBe('Enter the password for the server.');
    expect(locationProblem(sftp())).toBeNull();
    expect(locationProblem(s3({ endpoint: '' }))).toMatch(/endpoint/);
    expect(locationProblem(s3({ bucket: 'Bad_Bucket' }))).toMatch(/bucket’s name/);
    expect(locationProblem(s3({ secretAccessKey: '' }))).toMatch(/access key/);
    expect(locationProblem(s3({ keys: 'environment', accessKeyId: '', secretAccessKey: '' }))).toBeNull();
  });

  it('refuses this device as the region of a server or bucket', () => {
    expect(remoteRegionProblem('sftp', 'this-device')).toMatch(/region/);
    expect(remoteRegionProblem('sftp', 'EU')).toBeNull();
    expect(remoteRegionProblem('drive', 'this-device')).toBeNull();
  });
});

describe('what the fields send', () => {
  it('sends the SFTP settings and only the secret of the chosen sign-in', () => {
    const form = sftp({
      auth: 'key',
      identityFile: ' /home/alice/.ssh/id_ed25519 ',
      passphrase: 'pp',
      password: 'not sent',
      acceptHostKey: `SHA256:${'x'.repeat(43)}`,
    });
    expect(locationParams(form)).toEqual({
      location: 'sftp://alice@nas.example.net/srv/cairn',
      storage: { sftp: { identityFile: '/home/alice/.ssh/id_ed25519', acceptHostKey: `SHA256:${'x'.repeat(43)}` } },
      credentials: { sftpPassphrase: 'pp' },
    });
    expect(credentialsOf(sftp({ auth: 'password', password: 'pw', identityFile: '/k' }))).toEqual({
      sftpPassword: 'pw',
    });
    expect(credentialsOf(sftp({ auth: 'agent', password: 'pw' }))).toEqual({});
  });

  it('sends the S3 settings, and keys only when typed', () => {
    expect(locationParams(s3({ region: 'eu-central-1', storageClass: 'STANDARD_IA' }))).toEqual({
      location: 's3://s3.example.net/team-backups',
      storage: { s3: { pathStyle: true, region: 'eu-central-1', storageClass: 'STANDARD_IA' } },
      credentials: { s3AccessKeyId: 'AK', s3SecretAccessKey: 'SK' },
    });
    expect(credentialsOf(s3({ keys: 'environment' }))).toEqual({});
  });

  it('sends nothing but the path for a folder', () => {
    expect(locationParams({ ...initialStorageForm(), kind: 'drive', folder: '/media/usb/cairn' })).toEqual({
      location: '/media/usb/cairn',
    });
  });
});
