/**
 * The app and a real S3 server on 127.0.0.1 (Ceph's RADOS Gateway, test/support/s3-server.ts),
 * through the contract: "Test connection" says a bucket is missing, that a secret key is wrong,
 * and reaches a bucket with the right keys; a repository created there (its bucket made with it)
 * keeps its S3 settings in the catalog and its keys for the session only.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { TestHost } from '../support/host.js';
import { freshName, type S3TestServer, startS3Server } from '../support/s3-server.js';

describe('remote storage in an S3 bucket', () => {
  let s3: S3TestServer;
  let fixture: TestHost;
  let host: EngineHost;

  beforeAll(async () => {
    s3 = await startS3Server();
  }, 120_000);
  afterAll(async () => {
    await s3?.stop();
  });
  beforeEach(async () => {
    fixture = await TestHost.open('remote-s3');
    host = fixture.host;
  });
  afterEach(() => fixture?.close());

  const storage = { s3: { pathStyle: true, region: 'us-east-1' } };
  const keys = () => ({ s3AccessKeyId: s3.accessKeyId, s3SecretAccessKey: s3.secretAccessKey });
  const location = (bucket: string, prefix = '') =>
    `s3+http://${s3.endpointHost}:${s3.port}/${bucket}${prefix === '' ? '' : `/${prefix}`}`;

  it('says a bucket is missing and a secret key is wrong, in plain words', async () => {
    const bucket = freshName('missing');
    const missing = await host.call('repo.testLocation', { location: location(bucket), storage, credentials: keys() });
    expect(missing).toMatchObject({ reachable: false, problem: 'missing-bucket' });
    expect(missing.reachable === false && missing.message).toMatch(new RegExp(`no bucket named “${bucket}”`));

    const wrong = await host.call('repo.testLocation', {
      location: location(bucket),
      storage,
      credentials: { s3AccessKeyId: s3.accessKeyId, s3SecretAccessKey: 'not-the-secret-key' },
    });
    expect(wrong).toMatchObject({ reachable: false, problem: 'auth' });
    expect(JSON.stringify(wrong)).not.toContain(s3.secretAccessKey);
  });

  it('creates a repository in a new bucket; its settings stay, its keys do not', async () => {
    const bucket = freshName('cairn');
    const where = location(bucket, 'laptop');
    const created = await host.call('repo.create', {
      location: where,
      password: 'pw',
      label: 'Bucket',
      region: 'US',
      storage,
      credentials: keys(),
    });
    expect(created).toMatchObject({ kind: 's3', location: where, unlocked: true });
    const found = await host.call('repo.testLocation', { location: where, storage, credentials: keys() });
    expect(found).toMatchObject({ reachable: true, kind: 's3', repositoryExists: true });

    host = await fixture.reopen();
    expect(await host.call('repo.storageSettings', { repositoryId: created.id })).toMatchObject({
      settings: storage,
      credentialsHeld: { s3AccessKeyId: false, s3SecretAccessKey: false },
    });
    const files = await fs.readdir(fixture.dataDir, { recursive: true, withFileTypes: true });
    for (const file of files.filter((f) => f.isFile())) {
      const bytes = await fs.readFile(path.join(file.parentPath, file.name));
      expect(bytes.includes(Buffer.from(s3.secretAccessKey)), file.name).toBe(false);
    }
    await host.call('repo.setStorageSettings', { repositoryId: created.id, credentials: keys() });
    expect(await host.call('repo.unlock', { repositoryId: created.id, password: 'pw' })).toMatchObject({
      unlocked: true,
    });
  });
});
