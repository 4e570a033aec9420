import { describe, expect, it } from 'vitest';
import { cacheDirFor, describeRetry, storageOptions } from './storage-options.js';

describe('storageOptions', () => {
  it('reads the remote-storage options and takes secrets only from the environment', () => {
    const options = storageOptions(
      {
        'sftp-identity': 'keys/id_ed25519',
        'sftp-known-hosts': '/etc/cairn/known_hosts',
        'sftp-accept-host-key': `SHA256:${'A'.repeat(43)}`,
        's3-region': 'eu-central-1',
        's3-path-style': true,
        's3-storage-class': 'STANDARD_IA',
        'limit-upload': '512',
        'limit-download': '2048',
        connections: '8',
        'retry-for': '30',
      },
      { CAIRN_SFTP_PASSWORD: 'pw-from-env', CAIRN_SFTP_PASSPHRASE: 'phrase' },
    );
    expect(options.sftp).toMatchObject({
      knownHostsFile: '/etc/cairn/known_hosts',
      acceptHostKey: `SHA256:${'A'.repeat(43)}`,
      password: 'pw-from-env',
      passphrase: 'phrase',
    });
    expect(options.sftp?.identityFile).toMatch(/\/keys\/id_ed25519$/);
    expect(options.s3).toEqual({ region: 'eu-central-1', pathStyle: true, storageClass: 'STANDARD_IA' });
    expect(options.transfer).toEqual({ uploadKiBps: 512, downloadKiBps: 2048, connections: 8 });
    expect(options.retry).toEqual({ budgetMs: 30_000 });
    expect(storageOptions({ 'retry-for': '0' }, {}).retry).toEqual({ budgetMs: 0 });
  });

  it('refuses malformed numbers and fingerprints as usage errors', () => {
    for (const [name, value] of [
      ['limit-upload', '-5'],
      ['limit-download', '1.5'],
      ['connections', '0'],
      ['connections', '1000'],
      ['retry-for', 'soon'],
    ]) {
      expect(() => storageOptions({ [name as string]: value }, {}), `${name}=${value}`).toThrow(
        expect.objectContaining({ usage: true, message: expect.stringContaining(`--${name}`) }),
      );
    }
    expect(() => storageOptions({ 'sftp-accept-host-key': 'MD5:aa:bb' }, {})).toThrow(/SHA256: and 43 base64/);
  });

  it('names the cache folder by a hash that reveals nothing of the location', () => {
    const dir = cacheDirFor('/data', 's3://s3.example.com/secret-project-bucket');
    expect(dir).toMatch(/^\/data\/cache\/[0-9a-f]{32}$/);
    expect(dir).not.toContain('secret');
    expect(cacheDirFor('/data', 's3://s3.example.com/other')).not.toBe(dir);
  });

  it('describes a retry with the reason, the pause and the next attempt', () => {
    const text = describeRetry({
      operation: 'save',
      what: 'data object 12ab',
      attempt: 2,
      delayMs: 4_000,
      error: new Error('could not reach s3 server 127.0.0.1:7480: connection refused') as never,
    });
    expect(text).toBe('could not reach s3 server 127.0.0.1:7480: connection refused; retrying in 4 s (attempt 3)');
  });
});
