/**
 * The fields of an S3-compatible bucket: the endpoint (host, and port when it is not the usual
 * one), HTTPS or plain HTTP, bucket, prefix, region, path-style addressing, the access key typed
 * here or taken from the AWS environment variables Cairn was started with, and a storage class.
 */
import { useId } from 'react';
import type { S3Fields as Fields } from './storage-form.js';

export function S3Fields({ fields, onChange }: { fields: Fields; onChange: (fields: Fields) => void }) {
  const id = useId();
  const set = (change: Partial<Fields>) => onChange({ ...fields, ...change });

  return (
    <div className="storage-fields">
      <label htmlFor={`${id}-endpoint`}>Endpoint</label>
      <input
        id={`${id}-endpoint`}
        value={fields.endpoint}
        placeholder="s3.eu-central-1.amazonaws.com"
        spellCheck={false}
        aria-describedby={`${id}-endpoint-hint`}
        onChange={(event) => set({ endpoint: event.target.value })}
      />
      <p id={`${id}-endpoint-hint`} className="hint">
        The storage service’s name or address, with :port when it is not the usual one (such as 192.168.1.10:7480).
      </p>
      <fieldset className="choice">
        <legend>Connection</legend>
        <ul className="choice-list">
          <li>
            <label>
              <input type="radio" name={`${id}-tls`} checked={fields.tls} onChange={() => set({ tls: true })} />
              HTTPS (encrypted)
            </label>
          </li>
          <li>
            <label>
              <input type="radio" name={`${id}-tls`} checked={!fields.tls} onChange={() => set({ tls: false })} />
              HTTP, unencrypted: only for a test server on this computer or your own network
            </label>
          </li>
        </ul>
      </fieldset>
      <label htmlFor={`${id}-bucket`}>Bucket</label>
      <input
        id={`${id}-bucket`}
        value={fields.bucket}
        placeholder="my-backups"
        spellCheck={false}
        onChange={(event) => set({ bucket: event.target.value })}
      />
      <label htmlFor={`${id}-prefix`}>Prefix in the bucket (optional)</label>
      <input
        id={`${id}-prefix`}
        value={fields.prefix}
        placeholder="laptop/cairn"
        spellCheck={false}
        aria-describedby={`${id}-prefix-hint`}
        onChange={(event) => set({ prefix: event.target.value })}
      />
      <p id={`${id}-prefix-hint`} className="hint">
        Keeps the repository in a folder of the bucket, so one bucket can hold several.
      </p>
      <label htmlFor={`${id}-region`}>Region (optional)</label>
      <input
        id={`${id}-region`}
        value={fields.region}
        placeholder="us-east-1"
        spellCheck={false}
        onChange={(event) => set({ region: event.target.value })}
      />
      <ul className="choice-list">
        <li>
          <label>
            <input
              type="checkbox"
              checked={fields.pathStyle}
              onChange={(event) => set({ pathStyle: event.target.checked })}
            />
            Path-style addressing (the bucket in the path, as Ceph and MinIO need)
          </label>
        </li>
      </ul>
      <fieldset className="choice">
        <legend>Access key</legend>
        <ul className="choice-list">
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-keys`}
                checked={fields.keys === 'typed'}
                onChange={() => set({ keys: 'typed' })}
              />
              Enter the access key here
            </label>
          </li>
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-keys`}
                checked={fields.keys === 'environment'}
                onChange={() => set({ keys: 'environment' })}
              />
              From the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile)
            </label>
          </li>
        </ul>
      </fieldset>
      {fields.keys === 'typed' && (
        <>
          <label htmlFor={`${id}-key-id`}>Access key ID</label>
          <input
            id={`${id}-key-id`}
            value={fields.accessKeyId}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => set({ accessKeyId: event.target.value })}
          />
          <label htmlFor={`${id}-secret`}>Secret access key</label>
          <input
            id={`${id}-secret`}
            type="password"
            autoComplete="off"
            value={fields.secretAccessKey}
            onChange={(event) => set({ secretAccessKey: event.target.value })}
          />
        </>
      )}
      <label htmlFor={`${id}-class`}>Storage class (optional)</label>
      <input
        id={`${id}-class`}
        value={fields.storageClass}
        placeholder="STANDARD"
        spellCheck={false}
        aria-describedby={`${id}-class-hint`}
        onChange={(event) => set({ storageClass: event.target.value.toUpperCase() })}
      />
      <p id={`${id}-class-hint`} className="hint">
        For the data only, such as STANDARD_IA; Cairn keeps its small index files in the standard class.
      </p>
    </div>
  );
}
