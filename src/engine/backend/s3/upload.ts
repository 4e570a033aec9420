/**
 * Writing one object: a single PutObject up to MULTIPART_THRESHOLD bytes, a multipart upload
 * with its parts sent in parallel above it. Every request carries the Content-MD5 of its bytes,
 * so the server stores nothing that arrived damaged. An object appears whole or not at all: S3
 * makes a PutObject or a completed multipart upload visible at once, never in part.
 *
 * Not replacing an existing object: PutObject sends `If-None-Match: *`, which the server checks
 * atomically (412 when the key exists; of racing writers exactly one wins). Ceph RGW ignores that
 * header on CompleteMultipartUpload, so a multipart upload asks with a HEAD first. Another writer
 * can slip in between; the objects this path sees are packs named by the hash of their bytes,
 * so both writers store the very same bytes, and the race is harmless.
 */
import type { S3Client, StorageClass } from '@aws-sdk/client-s3';
import { mapLimit } from '../../util/concurrency.js';
import { BackendError } from '../types.js';
import { md5Base64, requestBody, splitParts, totalLength } from './body.js';
import { isMissing, preconditionFailed } from './errors.js';
import { sdk } from './sdk.js';

const MiB = 1024 * 1024;
/**
 * Objects up to this size go in one PutObject, larger ones in parts of this size. Packs are
 * 16 MiB by default and at most 128 MiB: the default goes in one request, the largest in four
 * parallel parts. One size for both means the MD5 of an object staged up to this size is the
 * MD5 of its only part, computed once as it is appended (staged.ts).
 */
export const PART_SIZE = 32 * MiB;
export const MULTIPART_THRESHOLD = PART_SIZE;

/** Runs one request while holding one of the backend's connection slots. */
export type Slot = <T>(request: () => Promise<T>) => Promise<T>;

export interface UploadTarget {
  client: S3Client;
  bucket: string;
  key: string;
  /** Only for data objects. */
  storageClass: string | undefined;
  overwrite: boolean;
  /** How many parts may be sent at once. */
  connections: number;
  slot: Slot;
  /** HeadObject of `key` (with the backend's explanation of a bare 403). */
  head: () => Promise<unknown>;
}

/**
 * Uploads the parts back to back as one object. `md5s` are the Content-MD5s of the pieces
 * `splitParts(parts, PART_SIZE)` makes, when already known (staged objects).
 */
export async function upload(target: UploadTarget, parts: readonly Uint8Array[], md5s?: readonly string[]) {
  const size = totalLength(parts);
  if (size <= MULTIPART_THRESHOLD) {
    await putObject(target, parts, size, md5s?.[0] ?? md5Base64(parts));
  } else {
    await multipartUpload(target, splitParts(parts, PART_SIZE), md5s);
  }
}

async function putObject(target: UploadTarget, parts: readonly Uint8Array[], size: number, md5: string) {
  const { client, bucket, key } = target;
  await target.slot(() =>
    client.send(
      new (sdk().PutObjectCommand)({
        Bucket: bucket,
        Key: key,
        Body: requestBody(parts),
        ContentLength: size,
        ContentMD5: md5,
        ContentType: 'application/octet-stream',
        ...(target.overwrite ? {} : { IfNoneMatch: '*' }),
        ...(target.storageClass ? { StorageClass: target.storageClass as StorageClass } : {}),
      }),
    ),
  );
}

async function multipartUpload(target: UploadTarget, pieces: Uint8Array[][], md5s?: readonly string[]) {
  const { client, bucket, key } = target;
  if (!target.overwrite && (await exists(target))) {
    throw preconditionFailed();
  }
  const created = await target.slot(() =>
    client.send(
      new (sdk().CreateMultipartUploadCommand)({
        Bucket: bucket,
        Key: key,
        ContentType: 'application/octet-stream',
        ...(target.storageClass ? { StorageClass: target.storageClass as StorageClass } : {}),
      }),
    ),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new BackendError('io', 'the server started a multipart upload without an upload id');
  try {
    const etags = await mapLimit(pieces, target.connections, async (piece, i) => {
      const answer = await target.slot(() =>
        client.send(
          new (sdk().UploadPartCommand)({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: i + 1,
            Body: requestBody(piece),
            ContentLength: totalLength(piece),
            ContentMD5: md5s?.[i] ?? md5Base64(piece),
          }),
        ),
      );
      if (!answer.ETag) throw new BackendError('io', `the server accepted part ${i + 1} without an ETag`);
      return answer.ETag;
    });
    await target.slot(() =>
      client.send(
        new (sdk().CompleteMultipartUploadCommand)({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      ),
    );
  } catch (err) {
    // Best effort: what is not aborted here, cleanTemporaryFiles aborts later.
    await target
      .slot(() =>
        client.send(new (sdk().AbortMultipartUploadCommand)({ Bucket: bucket, Key: key, UploadId: uploadId })),
      )
      .catch(() => {});
    throw err;
  }
}

async function exists(target: UploadTarget): Promise<boolean> {
  try {
    await target.head();
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}
