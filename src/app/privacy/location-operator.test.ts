/**
 * Who operates a storage location, from the location alone (the records of processing name each
 * as a recipient): a folder, an SFTP server's owner, an S3 provider by its domain (or "S3-compatible
 * service at host"), and the records built from an inventory with one location of each kind, the
 * controller's details and the usage-statistics receiver (listed only while consent is given).
 */
import { describe, expect, it } from 'vitest';
import { locationOperator, s3Provider } from './location-operator.js';
import { buildProcessingRecord, type PrivacyInventory, processingRecordHtml } from './processing-record.js';

describe('locationOperator', () => {
  it('names the operator of each kind of location', () => {
    expect(locationOperator('/mnt/usb/backups')).toEqual({ kind: 'local', name: 'this computer / your drive' });
    expect(locationOperator('sftp://backup@nas.example.org:2222/srv/cairn')).toEqual({
      kind: 'sftp',
      name: "SFTP server at nas.example.org (operator: the server's owner)",
    });
    expect(locationOperator('s3://s3.eu-central-1.amazonaws.com/my-bucket').name).toBe('Amazon Web Services');
    expect(locationOperator('s3://s3.us-west-004.backblazeb2.com/b-1').name).toBe('Backblaze');
    expect(locationOperator('s3://0123abcd.r2.cloudflarestorage.com/b-1').name).toBe('Cloudflare');
    expect(locationOperator('s3://s3.eu-central-2.wasabisys.com/b-1').name).toBe('Wasabi');
    expect(locationOperator('s3+http://127.0.0.1:7480/cairn-test')).toEqual({
      kind: 's3',
      name: 'S3-compatible service at 127.0.0.1',
    });
    expect(locationOperator('gopher://x/y')).toEqual({ kind: 'unknown', name: 'the operator of gopher://x/y' });
  });

  it('matches a provider by whole domain labels only', () => {
    expect(s3Provider('amazonaws.com')).toBe('Amazon Web Services');
    expect(s3Provider('notamazonaws.com')).toBeNull();
    expect(s3Provider('amazonaws.com.evil.example')).toBeNull();
  });
});

const inventory = (over: Partial<PrivacyInventory> = {}): PrivacyInventory => ({
  appVersion: '9.9.9',
  dataDir: '/data',
  repositories: [
    { id: 'r1', label: 'USB', location: '/mnt/usb', region: 'EU', lastBackupAt: null },
    { id: 'r2', label: 'NAS', location: 'sftp://me@nas.example.org/srv/c', region: 'EU', lastBackupAt: null },
    {
      id: 'r3',
      label: 'Cloud',
      location: 's3://s3.us-east-1.amazonaws.com/b-1',
      region: 'US',
      lastBackupAt: null,
      transferInstruction: { instruction: 'offsite copy, contract 2026-11', at: '2026-11-02T10:00:00.000Z' },
    },
  ],
  sources: [],
  retention: [],
  settings: { region: 'EU', subProcessors: [], usageEndpoint: 'https://stats.example.net/v1/report' },
  consent: [],
  controller: {
    name: 'Muster GmbH',
    contact: 'Hauptstr. 1, Berlin; privacy@muster.example',
    dpoContact: null,
    updatedAt: null,
  },
  ...over,
});

describe('records of processing: controller, recipients, transfers', () => {
  it('names the controller, every location operator, and each location outside the region with its instruction', () => {
    const record = buildProcessingRecord(inventory());
    expect(record.controller).toMatchObject({ name: 'Muster GmbH', dpoContact: null });
    expect(record.recipients.map((r) => [r.name, r.region])).toEqual([
      ['this computer / your drive', 'EU'],
      ["SFTP server at nas.example.org (operator: the server's owner)", 'EU'],
      ['Amazon Web Services', 'US'],
    ]);
    expect(
      record.locations.map((l) => [l.repository, l.outsideChosenRegion, l.transferInstruction?.instruction ?? null]),
    ).toEqual([
      ['USB', false, null],
      ['NAS', false, null],
      ['Cloud', true, 'offsite copy, contract 2026-11'],
    ]);
    const html = processingRecordHtml(record);
    expect(html).toContain('Muster GmbH');
    expect(html).toContain('none designated');
    expect(html).toContain('offsite copy, contract 2026-11');
  });

  it('lists the usage-statistics receiver only while consent is given', () => {
    const off = buildProcessingRecord(inventory());
    expect(off.recipients.some((r) => r.role.startsWith('usage-statistics'))).toBe(false);
    const on = buildProcessingRecord(
      inventory({
        consent: [
          {
            purpose: 'usage-statistics',
            title: 'Usage statistics',
            given: true,
            last: { at: '2026-11-01T00:00:00.000Z' },
          } as unknown as PrivacyInventory['consent'][number],
        ],
      }),
    );
    expect(on.recipients.at(-1)).toMatchObject({
      name: 'stats.example.net',
      role: expect.stringMatching(/^usage-statistics receiver/),
    });
  });

  it('says so when the controller has not been entered', () => {
    const record = buildProcessingRecord(inventory({ controller: undefined }));
    expect(record.controller).toMatchObject({ name: null, note: expect.stringContaining('not entered yet') });
    expect(processingRecordHtml(record)).toContain('not entered yet');
  });
});
