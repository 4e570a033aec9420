/**
 * S3Backend against a real Ceph RADOS Gateway (test/support/s3-server.ts; one server for the
 * file): the conformance suite with a fresh prefix per test, then what is particular to S3 —
 * the key layout, multipart uploads, size caps, credentials, a missing bucket, an outage of the
 * gateway, leftover uploads, destroy — and the error mapping alone.
 */
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toS3Error } from '../../src/engine/backend/s3/errors.js';
import { KeyLayout } from '../../src/engine/backend/s3/layout.js';
import { S3Backend } from '../../src/engine/backend/s3/s3-backend.js';
import { BackendError, type ObjectRef } from '../../src/engine/backend/types.js';
import { freshName, type S3TestServer, startS3Server } from '../support/s3-server.js';
import { expectBackendError, runBackendConformance } from './conformance.js';

const MiB = 1024 * 1024;
const id = (prefix = ''): string => prefix + randomBytes(32).toString('hex').slice(prefix.length);
const CONFIG: ObjectRef = { kind: 'config', id: 'config' };

let server: S3TestServer;
/** One bucket for the conformance tests and most others; each test takes its own prefix in it. */
const bucket = freshName('cairn');

beforeAll(async () => {
  server = await startS3Server();
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

function backendAt(prefix: string, bucketName = bucket, secret?: string): S3Backend {
  const options = secret === undefined ? server.options : { ...server.options, secretAccessKey: secret };
  return new S3Backend(server.location(bucketName, prefix), options);
}

/** A plain SDK client, to look at what the backend stored from outside. */
function rawClient(): S3Client {
  return new S3Client({
    endpoint: `http://127.0.0.1:${server.port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function keysUnder(prefix: string, bucketName = bucket): Promise<string[]> {
  const client = rawClient();
  try {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucketName, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) out.push(o.Key as string);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  } finally {
    client.destroy();
  }
}

/** A message must never quote the secret key, right or wrong. */
function expectNoSecret(err: BackendError, ...secrets: string[]): void {
  for (const secret of [server.secretAccessKey, ...secrets]) {
    expect(err.message).not.toContain(secret);
  }
}

runBackendConformance('S3Backend (Ceph RGW)', async () => {
  // A nested prefix: the layout must hold below any depth.
  const prefix = `repos/${freshName('conf')}`;
  return {
    backend: backendAt(prefix),
    cleanup: async () => {
      const cleaner = backendAt(prefix);
      await cleaner.destroy();
      await cleaner.close();
    },
  };
});

describe('S3Backend on Ceph RGW', () => {
  it('names its location without secrets, and keeps objects at the layout of a local folder', async () => {
    const prefix = freshName('layout');
    const backend = backendAt(prefix);
    expect(backend.location).toBe(`s3+http://127.0.0.1:${server.port}/${bucket}/${prefix}`);
    expect(backend.location).not.toContain(server.secretAccessKey);
    await backend.create();
    const dataId = id('c3');
    const keyId = id();
    await backend.save(CONFIG, Buffer.from('c'));
    await backend.save({ kind: 'data', id: dataId }, Buffer.from('d'));
    await backend.save({ kind: 'keys', id: keyId }, Buffer.from('k'));
    const staged = await backend.stage('index');
    const indexId = id();
    await staged.commit(indexId);
    expect(await keysUnder(`${prefix}/`)).toEqual(
      [
        `${prefix}/config`,
        `${prefix}/data/c3/${dataId}`,
        `${prefix}/keys/${keyId}`,
        `${prefix}/index/${indexId}`,
      ].sort(),
    );
    await backend.close();
  });

  it('sends a large staged object in parallel parts and reads it back identical', async () => {
    const backend = backendAt(freshName('multipart'));
    await backend.create();
    const data = randomBytes(80 * MiB);
    const staged = await backend.stage('data');
    for (let at = 0; at < data.length; at += MiB) await staged.append(data.subarray(at, at + MiB));
    const ref: ObjectRef = { kind: 'data', id: id() };
    await staged.commit(ref.id);
    // A multipart object's ETag is "<md5 of the part md5s>-<number of parts>": 32 + 32 + 16 MiB.
    const client = rawClient();
    const head = await client.send(
      new HeadObjectCommand({
        Bucket: bucket,
        Key: `${backend.location.split(`/${bucket}/`)[1]}/data/${ref.id.slice(0, 2)}/${ref.id}`,
      }),
    );
    client.destroy();
    expect(head.ETag).toMatch(/-3"$/);
    expect(await backend.stat(ref)).toEqual({ size: data.length });
    expect((await backend.load(ref)).equals(data)).toBe(true);
    const across = { offset: 32 * MiB - 1000, length: 5000 };
    expect((await backend.load(ref, across)).equals(data.subarray(across.offset, across.offset + 5000))).toBe(true);

    // Committing the same id again goes the multipart way too, and is refused without a trace.
    const again = await backend.stage('data');
    await again.append(randomBytes(40 * MiB));
    await expectBackendError(again.commit(ref.id), 'exists');
    expect((await backend.load(ref, { offset: 0, length: 1000 })).equals(data.subarray(0, 1000))).toBe(true);
    // A large save (not staged) takes the same path.
    const saved: ObjectRef = { kind: 'data', id: id() };
    const big = randomBytes(33 * MiB);
    await backend.save(saved, [big.subarray(0, 10), big.subarray(10)]);
    expect((await backend.load(saved)).equals(big)).toBe(true);
    await expectBackendError(backend.save(saved, big), 'exists');
    await backend.save(saved, big.subarray(5), { overwrite: true });
    expect(await backend.stat(saved)).toEqual({ size: big.length - 5 });
    await backend.destroy();
    await backend.close();
  });

  it('refuses an object above maxLength before reading it, and stays usable', async () => {
    const backend = backendAt(freshName('cap'));
    await backend.create();
    const ref: ObjectRef = { kind: 'index', id: id() };
    const data = randomBytes(8 * MiB);
    await backend.save(ref, data);
    const whole = await expectBackendError(backend.load(ref, undefined, { maxLength: MiB }), 'invalid-object');
    expect(whole.message).toContain('8 MiB');
    await expectBackendError(backend.load(ref, { offset: MiB, length: 10 }, { maxLength: MiB }), 'invalid-object');
    expect((await backend.load(ref, { offset: 0, length: MiB }, { maxLength: MiB })).length).toBe(MiB);
    expect((await backend.load(ref, undefined, { maxLength: data.length })).equals(data)).toBe(true);
    // Past the end wins over the cap, as on a local folder.
    await expectBackendError(backend.load(ref, { offset: data.length, length: 1 }, { maxLength: 10 }), 'range');
    await backend.destroy();
    await backend.close();
  });

  it('fails with auth on a wrong secret key or an unknown access key, never quoting a secret', async () => {
    const prefix = freshName('auth');
    const good = backendAt(prefix);
    await good.create();
    await good.save(CONFIG, Buffer.from('config'));
    const wrongSecret = 'wrongSECRETwrongSECRETwrongSECRETwrong00';
    const wrong = backendAt(prefix, bucket, wrongSecret);
    const errors = [
      await expectBackendError(wrong.load(CONFIG), 'auth'),
      await expectBackendError(wrong.load(CONFIG, { offset: 0, length: 2 }), 'auth'),
      await expectBackendError(wrong.stat(CONFIG), 'auth'),
      await expectBackendError(wrong.exists(), 'auth'),
      await expectBackendError(wrong.save({ kind: 'keys', id: id() }, Buffer.from('x')), 'auth'),
      await expectBackendError(
        (async () => {
          // Large: the multipart path, which asks with a HEAD first.
          const staged = await wrong.stage('data');
          await staged.append(Buffer.alloc(33 * MiB));
          await staged.commit(id());
        })(),
        'auth',
      ),
      await expectBackendError(
        (async () => {
          for await (const _ of wrong.list('snapshots')) {
            // nothing is listed
          }
        })(),
        'auth',
      ),
    ];
    for (const err of errors) {
      expectNoSecret(err, wrongSecret);
      expect(err.message).toContain(`127.0.0.1:${server.port}/${bucket}`);
      expect(err.message).toContain('SignatureDoesNotMatch');
    }
    const unknownKey = new S3Backend(server.location(bucket, prefix), {
      accessKeyId: 'NOSUCHACCESSKEY00000',
      secretAccessKey: wrongSecret,
    });
    const err = await expectBackendError(unknownKey.exists(), 'auth');
    expect(err.message).toContain('InvalidAccessKeyId');
    expectNoSecret(err, wrongSecret);
    for (const b of [good, wrong, unknownKey]) await b.close();
  });

  it('on a missing bucket: exists() is false, create() makes the bucket, reportedRegion() answers', async () => {
    const newBucket = freshName('fresh');
    const backend = backendAt('', newBucket);
    expect(await backend.exists()).toBe(false);
    const notThere = await expectBackendError(backend.load(CONFIG), 'not-found');
    expect(notThere.message).toContain(`bucket '${newBucket}' does not exist`);
    await backend.remove({ kind: 'locks', id: id() }); // nothing to remove: fine
    expect(await backend.cleanTemporaryFiles(0)).toBe(0);
    await backend.create();
    expect(await backend.exists()).toBe(false);
    await backend.save(CONFIG, Buffer.from('config'));
    expect(await backend.exists()).toBe(true);
    await expectBackendError(backend.create(), 'exists');
    const region = await backend.reportedRegion();
    expect(typeof region).toBe('string');
    expect(region).toBe('default'); // what Ceph RGW reports, passed on as it is
    await backend.destroy();
    expect(await keysUnder('', newBucket)).toEqual([]);
    await backend.close();
  });

  it('create refuses a prefix holding foreign objects, and accepts leftovers of its own layout', async () => {
    const prefix = freshName('foreign');
    const client = rawClient();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/holiday.jpg`, Body: 'photo' }));
    const backend = backendAt(prefix);
    const err = await expectBackendError(backend.create(), 'exists');
    expect(err.message).toContain('holds no Cairn repository');

    const own = freshName('own');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${own}/data/`, Body: Buffer.alloc(0) }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${own}/keys/${id()}`, Body: 'k' }));
    client.destroy();
    const retried = backendAt(own);
    await retried.create();
    for (const b of [backend, retried]) {
      await b.destroy();
      await b.close();
    }
  });

  it('lists every object over more than one page of 1000 keys', async () => {
    const backend = backendAt(freshName('pages'));
    await backend.create();
    const ids = Array.from({ length: 1100 }, () => id());
    const sizes = new Map(ids.map((x, i) => [x, i % 7]));
    const batch = 64;
    for (let i = 0; i < ids.length; i += batch) {
      await Promise.all(
        ids.slice(i, i + batch).map((x) => backend.save({ kind: 'data', id: x }, randomBytes(sizes.get(x) ?? 0))),
      );
    }
    const listed = new Map<string, number>();
    for await (const info of backend.list('data')) listed.set(info.id, info.size);
    expect(listed).toEqual(sizes);
    // Stopping early leaves no trouble behind.
    for await (const _ of backend.list('data')) break;
    await backend.destroy();
    expect(await keysUnder(`${backend.location.split(`/${bucket}/`)[1]}/`)).toEqual([]);
    await backend.close();
  }, 120_000);

  it('cleanTemporaryFiles aborts stale multipart uploads of the layout, and nothing else', async () => {
    const prefix = freshName('stale');
    const backend = backendAt(prefix);
    await backend.create();
    const client = rawClient();
    const start = async (key: string) => {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      await client.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: randomBytes(1000) }),
      );
      return UploadId as string;
    };
    const ours = `${prefix}/data/ab/${id('ab')}`;
    await start(ours);
    const foreignKey = `${prefix}/not-ours.bin`;
    const foreign = await start(foreignKey);
    const uploads = async () =>
      (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${prefix}/` }))).Uploads ?? [];
    expect(await uploads()).toHaveLength(2);

    expect(await backend.cleanTemporaryFiles(10 * 60_000)).toBe(0); // too young
    expect(await backend.cleanTemporaryFiles(10 * 60_000, Date.now() + 20 * 60_000)).toBe(1);
    expect((await uploads()).map((u) => u.Key)).toEqual([foreignKey]);
    expect(await backend.cleanTemporaryFiles(0, Date.now() + 60_000)).toBe(0);

    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: foreignKey, UploadId: foreign }));
    client.destroy();
    await backend.close();
  });

  it('destroy removes everything under its prefix and nothing beside it', async () => {
    const base = freshName('destroy');
    const doomed = backendAt(base);
    const neighbour = backendAt(`${base}x`); // shares the text of the prefix, not the folder
    for (const b of [doomed, neighbour]) {
      await b.create();
      await b.save(CONFIG, Buffer.from('config'));
      await b.save({ kind: 'data', id: id() }, randomBytes(100));
    }
    const staged = await doomed.stage('snapshots');
    await staged.append(randomBytes(10));
    await staged.discard();
    await doomed.destroy();
    expect(await keysUnder(`${base}/`)).toEqual([]);
    expect(await doomed.exists()).toBe(false);
    expect(await neighbour.exists()).toBe(true);
    expect(await keysUnder(`${base}x/`)).toHaveLength(2);
    await doomed.destroy(); // nothing left: still fine
    await neighbour.destroy();
    for (const b of [doomed, neighbour]) await b.close();
  });

  it('gives the storage class to data objects only', async () => {
    const prefix = freshName('class');
    const refused = new S3Backend(server.location(bucket, prefix), { ...server.options, storageClass: 'GLACIER' });
    await refused.create();
    await refused.save({ kind: 'index', id: id() }, Buffer.from('metadata stays in the default class'));
    const err = await expectBackendError(refused.save({ kind: 'data', id: id() }, Buffer.from('pack')), 'io');
    expect(err.message).toContain("does not accept the storage class 'GLACIER'");
    const standard = new S3Backend(server.location(bucket, prefix), { ...server.options, storageClass: 'STANDARD' });
    await standard.save({ kind: 'data', id: id() }, Buffer.from('pack'));
    await standard.destroy();
    for (const b of [refused, standard]) await b.close();
  });

  it('can be used again after close', async () => {
    const backend = backendAt(freshName('reopen'));
    await backend.create();
    await backend.close();
    await backend.close();
    await backend.save(CONFIG, Buffer.from('after close'));
    expect((await backend.load(CONFIG)).toString()).toBe('after close');
    await backend.destroy();
    await backend.close();
  });

  // Last: it takes the gateway down for a moment.
  it("fails with 'unavailable' naming the server while RGW is down, and works again once it is back", async () => {
    const backend = backendAt(freshName('outage'));
    await backend.create();
    const ref: ObjectRef = { kind: 'snapshots', id: id() };
    await backend.save(ref, Buffer.from('before'));
    await server.stopGateway();
    try {
      const failures = [
        await expectBackendError(backend.load(ref), 'unavailable'),
        await expectBackendError(backend.save({ kind: 'snapshots', id: id() }, Buffer.from('x')), 'unavailable'),
        await expectBackendError(backend.exists(), 'unavailable'),
        await expectBackendError(backend.stat(ref), 'unavailable'),
      ];
      for (const err of failures) {
        expect(err.message).toContain(`127.0.0.1:${server.port}/${bucket}`);
        expectNoSecret(err);
      }
      expect(failures[0]?.message).toMatch(/could not load snapshots object [0-9a-f]{64} at .*refused the connection/);
    } finally {
      await server.startGateway();
    }
    expect((await backend.load(ref)).toString()).toBe('before');
    await backend.destroy();
    await backend.close();
  });
});

describe('toS3Error', () => {
  const ctx = {
    server: 'h:1/b',
    host: 'h:1',
    bucket: 'b',
    operation: 'load',
    what: 'data object abc',
    secrets: ['TOPSECRETVALUE'],
  };
  const sdk = (name: string, status?: number, extra: object = {}) =>
    Object.assign(new Error('UnknownError'), { name, Code: name, $metadata: { httpStatusCode: status }, ...extra });
  const net = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, $metadata: {} });
  const cases: [string, unknown, string][] = [
    ['NoSuchKey', sdk('NoSuchKey', 404), 'not-found'],
    [
      'HEAD 404',
      Object.assign(new Error('UnknownError'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }),
      'not-found',
    ],
    ['NoSuchBucket', sdk('NoSuchBucket', 404), 'not-found'],
    ['PreconditionFailed', sdk('PreconditionFailed', 412), 'exists'],
    ['InvalidRange', sdk('InvalidRange', 416), 'range'],
    ['AccessDenied', sdk('AccessDenied', 403), 'permission'],
    ['InvalidAccessKeyId', sdk('InvalidAccessKeyId', 403), 'auth'],
    ['SignatureDoesNotMatch', sdk('SignatureDoesNotMatch', 403), 'auth'],
    ['RequestTimeTooSkewed', sdk('RequestTimeTooSkewed', 403), 'auth'],
    ['ExpiredToken', sdk('ExpiredToken', 400), 'auth'],
    ['SlowDown', sdk('SlowDown', 503), 'unavailable'],
    ['InternalError', sdk('InternalError', 500), 'unavailable'],
    ['a bare 502', sdk('Unknown', 502), 'unavailable'],
    ['429', sdk('TooManyRequests', 429), 'unavailable'],
    ['RequestTimeout', sdk('RequestTimeout', 400), 'unavailable'],
    ['BadDigest', sdk('BadDigest', 400), 'unavailable'],
    ['ECONNREFUSED', net('ECONNREFUSED'), 'unavailable'],
    ['ECONNRESET', net('ECONNRESET'), 'unavailable'],
    ['ENOTFOUND', net('ENOTFOUND'), 'unavailable'],
    ['ETIMEDOUT', net('ETIMEDOUT'), 'unavailable'],
    [
      'a socket timeout',
      Object.assign(new Error('Connection timed out after 60000 ms'), { name: 'TimeoutError' }),
      'unavailable',
    ],
    ['QuotaExceeded', sdk('QuotaExceeded', 403), 'no-space'],
    [
      'CredentialsProviderError',
      Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
      'auth',
    ],
    ['NotImplemented', sdk('NotImplemented', 501), 'io'],
    ['a redirect to another region', sdk('PermanentRedirect', 301), 'io'],
    ['something else', sdk('MalformedXML', 400), 'io'],
  ];
  for (const [label, err, code] of cases) {
    it(`maps ${label} to '${code}', keeping the cause and naming the server`, () => {
      const mapped = toS3Error(err, ctx);
      expect(mapped).toBeInstanceOf(BackendError);
      expect(mapped.code).toBe(code);
      expect(mapped.cause).toBe(err);
      expect(mapped.message).toMatch(/h:1/);
    });
  }

  it('scrubs a secret out of any text it quotes', () => {
    const err = sdk('WeirdError', 400);
    err.message = 'the server said TOPSECRETVALUE was wrong';
    const mapped = toS3Error(err, ctx);
    expect(mapped.message).not.toContain('TOPSECRETVALUE');
    expect(mapped.message).toContain('WeirdError');
  });
});

describe('KeyLayout', () => {
  const hex = 'ab'.repeat(32);

  it('puts objects where a local folder has them, below any prefix', () => {
    for (const [prefix, root] of [
      ['', ''],
      ['repo', 'repo/'],
      ['/a/b/', 'a/b/'],
    ]) {
      const layout = new KeyLayout(prefix as string);
      expect(layout.keyOf({ kind: 'config', id: 'config' })).toBe(`${root}config`);
      expect(layout.keyOf({ kind: 'data', id: hex })).toBe(`${root}data/ab/${hex}`);
      expect(layout.keyOf({ kind: 'locks', id: hex })).toBe(`${root}locks/${hex}`);
      expect(layout.kindPrefix('index')).toBe(`${root}index/`);
    }
  });

  it('takes from a listing only keys at their place in the layout', () => {
    const layout = new KeyLayout('r');
    expect(layout.idOf('data', `r/data/ab/${hex}`)).toBe(hex);
    expect(layout.idOf('data', `r/data/cd/${hex}`)).toBeUndefined(); // wrong shard
    expect(layout.idOf('data', `r/data/${hex}`)).toBeUndefined(); // no shard
    expect(layout.idOf('keys', `r/keys/x/${hex}`)).toBeUndefined(); // nested deeper
    expect(layout.idOf('keys', `r/keys/${hex.toUpperCase()}`)).toBeUndefined();
    expect(layout.idOf('keys', `other/keys/${hex}`)).toBeUndefined();
    expect(layout.idOf('config', 'r/config')).toBe('config');
  });

  it('tells objects and folder markers of the layout from anything else', () => {
    const layout = new KeyLayout('r');
    for (const key of [
      'r/config',
      `r/snapshots/${hex}`,
      `r/data/ab/${hex}`,
      'r/',
      'r/data/',
      'r/data/0f/',
      'r/keys/',
    ]) {
      expect(layout.isOurs(key), key).toBe(true);
    }
    for (const key of [
      'r/holiday.jpg',
      'r/data/x/',
      'r/keys/a/',
      `r/nonsense/${hex}`,
      `r/data/cd/${hex}`,
      'rr/config',
    ]) {
      expect(layout.isOurs(key), key).toBe(false);
    }
  });
});
