/**
 * How "Test connection" words a failure: each kind of problem recognised from what the backends
 * throw — a BackendError's code and refused host key, and the errors it wraps (Node's errno codes,
 * ssh2's levels, the AWS SDK's error names and HTTP status) — whatever depth they sit at.
 */
import { describe, expect, it } from 'vitest';
import { classifyFailure, TestTimeout } from '../../src/app/host/connection-problems.js';
import { LocationError, parseLocation } from '../../src/engine/backend/location.js';
import { BackendError } from '../../src/engine/backend/types.js';
import { CairnError } from '../../src/engine/errors.js';

const sftp = parseLocation('sftp://alice@nas.example.net:2222/srv/cairn');
const s3 = parseLocation('s3://s3.example.net/team-backups/laptop');
const local = parseLocation('/mnt/backups/cairn');

/** An error as Node or a library throws it: a message and some identifying fields. */
function raw(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

function unavailable(cause: unknown): BackendError {
  return new BackendError('unavailable', 'nas.example.net:2222 could not be reached while listing keys', { cause });
}

describe('classifyFailure', () => {
  it('recognises a name that does not resolve', () => {
    for (const code of ['ENOTFOUND', 'EAI_AGAIN']) {
      const p = classifyFailure(unavailable(raw(`getaddrinfo ${code} nas.example.net`, { code })), sftp);
      expect(p.problem).toBe('dns');
      expect(p.message).toBe(
        'Cairn could not find a server named “nas.example.net”. Check the spelling of its name and that this computer is online.',
      );
    }
  });

  it('recognises a refused connection, naming the port', () => {
    const p = classifyFailure(unavailable(raw('connect ECONNREFUSED', { code: 'ECONNREFUSED' })), sftp);
    expect(p).toEqual({
      problem: 'refused',
      message:
        'nas.example.net:2222 refused the connection on port 2222. Check the port number and that the SSH service is running there.',
    });
    expect(classifyFailure(raw('refused', { code: 'ECONNREFUSED' }), s3).message).toMatch(
      /refused the connection on port 443.*S3 service/,
    );
  });

  it('recognises a timeout: ours, Node’s and ssh2’s', () => {
    expect(classifyFailure(new TestTimeout(20_000), sftp).problem).toBe('timeout');
    expect(classifyFailure(unavailable(raw('timed out', { code: 'ETIMEDOUT' })), sftp).problem).toBe('timeout');
    expect(
      classifyFailure(raw('Timed out while waiting for handshake', { level: 'client-timeout' }), sftp).problem,
    ).toBe('timeout');
  });

  it('recognises refused credentials of either kind of server', () => {
    const ssh = classifyFailure(new BackendError('auth', 'the server refused the key'), sftp);
    expect(ssh).toMatchObject({ problem: 'auth' });
    expect(ssh.message).toMatch(/sign-in of user “alice”/);
    const nested = classifyFailure(
      unavailable(raw('All configured authentication methods failed', { level: 'client-authentication' })),
      sftp,
    );
    expect(nested.problem).toBe('auth');
    const key = classifyFailure(
      raw('The AWS Access Key Id you provided does not exist', { name: 'InvalidAccessKeyId' }),
      s3,
    );
    expect(key.problem).toBe('auth');
    expect(key.message).toMatch(/access key ID and the secret access key/);
    expect(classifyFailure(raw('Forbidden', { name: 'SignatureDoesNotMatch' }), s3).problem).toBe('auth');
    const none = classifyFailure(
      new BackendError('auth', 'no S3 credentials were found', {
        cause: raw('Could not load credentials from any providers', { name: 'CredentialsProviderError' }),
      }),
      s3,
    );
    expect(none.problem).toBe('auth');
    expect(none.message).toMatch(/^Cairn has no access key for this storage/);
  });

  it('recognises a host key never seen and one that changed, passing the key on', () => {
    const hostKey = {
      host: 'nas.example.net',
      port: 2222,
      fingerprint: `SHA256:${'b'.repeat(43)}`,
      algorithm: 'ssh-ed25519',
    };
    const unknown = classifyFailure(
      new BackendError('host-key', 'unknown host key', { hostKey: { ...hostKey, status: 'unknown' } }),
      sftp,
    );
    expect(unknown).toMatchObject({ problem: 'host-key-unknown', hostKey });
    expect(unknown.message).toMatch(/has not connected to nas\.example\.net before/);
    const changed = classifyFailure(
      new BackendError('unavailable', 'wrapped', {
        cause: new BackendError('host-key', 'changed host key', { hostKey: { ...hostKey, status: 'changed' } }),
      }),
      sftp,
    );
    expect(changed).toMatchObject({ problem: 'host-key-changed', hostKey });
  });

  it('recognises a changed host key at the top of the chain, with a warning', () => {
    const changed = classifyFailure(
      new BackendError('host-key', 'changed host key', {
        hostKey: {
          host: 'nas.example.net',
          port: 2222,
          status: 'changed',
          fingerprint: 'SHA256:x',
          algorithm: 'ssh-rsa',
        },
      }),
      sftp,
    );
    expect(changed.problem).toBe('host-key-changed');
    expect(changed.message).toMatch(/^Warning: the key of nas\.example\.net is not the one recorded/);
    expect(changed.message).toMatch(/Cairn will not connect/);
  });

  it('recognises refused access to the folder or bucket', () => {
    expect(classifyFailure(new BackendError('permission', 'no permission'), sftp).message).toBe(
      'The server refused access to /srv/cairn. Check that user “alice” may read and write that folder.',
    );
    const denied = classifyFailure(
      raw('Access Denied', { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      s3,
    );
    expect(denied.problem).toBe('permission');
    expect(denied.message).toMatch(/bucket “team-backups”/);
    expect(classifyFailure(raw('EACCES', { code: 'EACCES' }), local).problem).toBe('permission');
  });

  it('recognises a bucket that does not exist', () => {
    const p = classifyFailure(
      new BackendError('not-found', 'x', { cause: raw('NoSuchBucket', { Code: 'NoSuchBucket' }) }),
      s3,
    );
    expect(p).toEqual({
      problem: 'missing-bucket',
      message:
        'There is no bucket named “team-backups” on s3.example.net. Check its name (creating a new repository creates its bucket).',
    });
    expect(classifyFailure(new BackendError('not-found', 'no such bucket'), s3).problem).toBe('missing-bucket');
  });

  it('reports a location the engine cannot use as invalid-location with its reason', () => {
    expect(classifyFailure(new LocationError("storage kind 'ftp' is not supported"), undefined)).toEqual({
      problem: 'invalid-location',
      message: "storage kind 'ftp' is not supported",
    });
    expect(classifyFailure(new CairnError('invalid-argument', 'no storage location was given'), sftp).problem).toBe(
      'invalid-location',
    );
  });

  it('says what it could not classify, with the backend’s own words', () => {
    const p = classifyFailure(new BackendError('io', 'the server closed the connection while listing data'), sftp);
    expect(p).toEqual({
      problem: 'other',
      message: 'Cairn could not use this storage: the server closed the connection while listing data',
    });
    expect(classifyFailure(unavailable(raw('reset', { code: 'ECONNRESET' })), sftp).message).toMatch(
      /connection to nas\.example\.net:2222 failed \(ECONNRESET\)/,
    );
  });
});
