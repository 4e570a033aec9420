import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLocation, LocationError, parseLocation } from './location.js';

describe('parseLocation', () => {
  it('reads a folder as a path, ~ and file:// included', () => {
    expect(parseLocation('/srv/cairn')).toEqual({ kind: 'local', path: path.resolve('/srv/cairn') });
    expect(parseLocation('~/b')).toEqual({ kind: 'local', path: path.join(os.homedir(), 'b') });
    expect(parseLocation('file:///srv/my%20b')).toEqual({ kind: 'local', path: '/srv/my b' });
  });

  it('reads an SFTP location: user, host, port (22 by default) and an absolute, normalised path', () => {
    expect(parseLocation('sftp://backup@nas.local/srv/cairn/')).toEqual({
      kind: 'sftp',
      user: 'backup',
      host: 'nas.local',
      port: 22,
      path: '/srv/cairn',
    });
    expect(parseLocation('SFTP://me%40corp@[::1]:2222/a//b/c')).toEqual({
      kind: 'sftp',
      user: 'me@corp',
      host: '::1',
      port: 2222,
      path: '/a/b/c',
    });
  });

  it('refuses an SFTP location without a user, a path, or with a password in it', () => {
    expect(() => parseLocation('sftp://host/srv')).toThrow(/give the user name/);
    expect(() => parseLocation('sftp://me@host')).toThrow(/absolute path/);
    expect(() => parseLocation('sftp://me@host/')).toThrow(/absolute path/);
    expect(() => parseLocation('sftp://me@host/srv/../etc')).toThrow(/must not contain '.' or '..'/);
    expect(() => parseLocation('sftp://me@host/srv/./x')).toThrow(/must not contain '.' or '..'/);
    const withPassword = (() => {
      try {
        parseLocation('sftp://me:hunter2@host/srv');
      } catch (err) {
        return err as Error;
      }
    })();
    expect(withPassword).toBeInstanceOf(LocationError);
    expect(withPassword?.message).toMatch(/password must not be part of the location/);
    expect(withPassword?.message).not.toContain('hunter2');
  });

  it('reads S3 locations over HTTPS and plain HTTP, with and without a prefix', () => {
    expect(parseLocation('s3://s3.eu-central-1.amazonaws.com/my-bucket')).toEqual({
      kind: 's3',
      tls: true,
      host: 's3.eu-central-1.amazonaws.com',
      bucket: 'my-bucket',
      prefix: '',
    });
    expect(parseLocation('s3+http://127.0.0.1:7480/cairn-test/laptop/home/')).toEqual({
      kind: 's3',
      tls: false,
      host: '127.0.0.1',
      port: 7480,
      bucket: 'cairn-test',
      prefix: 'laptop/home',
    });
  });

  it('refuses an S3 location without a bucket, with a bad bucket name, or with credentials in it', () => {
    expect(() => parseLocation('s3://host')).toThrow(/give the bucket/);
    expect(() => parseLocation('s3://host/Bad_Bucket')).toThrow(/not a valid S3 bucket name/);
    expect(() => parseLocation('s3://AKIA:secret@host/b-1')).toThrow(/password must not be part/);
    expect(() => parseLocation('s3://AKIA@host/b-1')).toThrow(/credentials must not be part/);
    expect(() => parseLocation('s3://host/b-1/../x')).toThrow(/must not contain/);
    expect(() => parseLocation('s3://host/b-1?x=1')).toThrow(/no '\?' or '#'/);
  });

  it('refuses unknown kinds and memory:', () => {
    expect(() => parseLocation('memory:')).toThrow(/tests only/);
    expect(() => parseLocation('gopher://x/y')).toThrow(/not supported/);
    expect(() => parseLocation('')).toThrow(/no storage location/);
  });
});

describe('formatLocation', () => {
  it('writes back what parseLocation reads, in one canonical form', () => {
    for (const location of [
      'sftp://backup@nas.local/srv/cairn',
      'sftp://backup@nas.local:2222/srv/my%20cairn',
      'sftp://me%40corp@[::1]:2222/a',
      's3://s3.example.com/bucket-1',
      's3+http://127.0.0.1:7480/cairn-test/laptop/home',
    ]) {
      expect(formatLocation(parseLocation(location))).toBe(location);
    }
    expect(formatLocation(parseLocation('sftp://u@h:22/x/'))).toBe('sftp://u@h/x');
  });
});
