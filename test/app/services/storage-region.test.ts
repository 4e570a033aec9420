/** The region a remote location reports must agree with the one declared for it. */
import { describe, expect, it } from 'vitest';
import { declaredRegion, regionOfProvider } from '../../../src/app/services/storage-region.js';
import { MemoryBackend } from '../../../src/engine/backend/memory.js';
import { BackendError } from '../../../src/engine/backend/types.js';

function reporting(region: string | undefined | Error): MemoryBackend {
  const backend = new MemoryBackend();
  Object.assign(backend, {
    reportedRegion: async () => {
      if (region instanceof Error) throw region;
      return region;
    },
  });
  return backend;
}

describe('regionOfProvider', () => {
  it('maps provider region codes to the app regions', () => {
    expect(regionOfProvider('eu-central-1')).toBe('EU');
    expect(regionOfProvider('EU')).toBe('EU');
    expect(regionOfProvider('eu-west-2')).toBe('UK');
    expect(regionOfProvider('eu-central-2')).toBe('CH');
    expect(regionOfProvider('us-east-1')).toBe('US');
    expect(regionOfProvider('ca-central-1')).toBe('CA');
    expect(regionOfProvider('ap-northeast-1')).toBe('JP');
    expect(regionOfProvider('ap-southeast-2')).toBe('AU');
    expect(regionOfProvider('sa-east-1')).toBe('other');
    expect(regionOfProvider('default')).toBeUndefined();
    expect(regionOfProvider(undefined)).toBeUndefined();
  });
});

describe('declaredRegion', () => {
  const s3 = 's3://s3.example.com/bucket-1';
  it('takes the reported region when none is declared, and refuses a declaration it contradicts', async () => {
    expect(await declaredRegion(reporting('eu-central-1'), s3, undefined, 'US')).toBe('EU');
    expect(await declaredRegion(reporting('eu-central-1'), s3, 'EU', 'US')).toBe('EU');
    await expect(declaredRegion(reporting('us-east-1'), s3, 'EU', 'EU')).rejects.toThrow(
      /reports region us-east-1 \(US\), but it was declared as EU/,
    );
  });

  it('keeps the declaration of storage that reports nothing, and never calls remote storage this-device', async () => {
    expect(await declaredRegion(reporting('default'), s3, 'CH', 'EU')).toBe('CH');
    expect(await declaredRegion(reporting(undefined), 'sftp://u@nas/srv', undefined, 'EU')).toBe('EU');
    await expect(declaredRegion(new MemoryBackend(), 'sftp://u@nas/srv', undefined, 'this-device')).rejects.toThrow(
      /not on this device: declare the region/,
    );
    await expect(declaredRegion(new MemoryBackend(), 'sftp://u@nas/srv', 'this-device', 'EU')).rejects.toThrow(
      /not on this device/,
    );
    expect(await declaredRegion(new MemoryBackend(), '/srv/backups', undefined, 'this-device')).toBe('this-device');
  });

  it('treats a bucket not created yet as reporting nothing, and passes other failures on', async () => {
    expect(await declaredRegion(reporting(new BackendError('not-found', 'no bucket')), s3, 'EU', 'US')).toBe('EU');
    await expect(declaredRegion(reporting(new BackendError('unavailable', 'down')), s3, 'EU', 'US')).rejects.toThrow(
      'down',
    );
  });
});
