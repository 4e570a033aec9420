/**
 * The fields of an S3-compatible bucket: the endpoint (host, and port when it is not the usual
 * one), HTTPS or plain HTTP, bucket, prefix, region, path-style addressing, the access key typed
 * here or taken from the AWS environment variables Cairn was started with, and a storage class.
 * The access key, the region with the addressing, and the storage class are components of their
 * own, which Settings → Storage shows too (settings/SignInFields.tsx).
 */
import { useId } from 'react';
import { type S3Fields as Fields, heldHint } from './storage-form.js';

export function S3Fields({ fields, onChange }: { fields: Fields; onChange: (fields: Fields) => void }) {
  const id = useId();
  const set = (change: Partial<Fields>) => onChange({ ...fields, ...change });

  return (
    <div className="storage-fields">
      <label htmlFor={`${id}-endpoint`}>Endpoint</label>
      <input
        id={`${id}-endpoint`}
        value={fields.endpoint}
        placeholder="e.g. s3.eu-central-1.amazonaws.com"
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
        placeholder="e.g. my-backups"
        spellCheck={false}
        onChange={(event) => set({ bucket: event.target.value })}
      />
      <label htmlFor={`${id}-prefix`}>Prefix in the bucket (optional)</label>
      <input
        id={`${id}-prefix`}
        value={fields.prefix}
        placeholder="e.g. laptop/cairn"
        spellCheck={false}
        aria-describedby={`${id}-prefix-hint`}
        onChange={(event) => set({ prefix: event.target.value })}
      />
      <p id={`${id}-prefix-hint`} className="hint">
        Keeps the repository in a folder of the bucket, so one bucket can hold several.
      </p>
      <S3RegionFields values={fields} set={set} />
      <S3AccessKeyFields values={fields} set={set} />
      <S3StorageClassField values={fields} set={set} />
    </div>
  );
}

/** What the parts shared with Settings → Storage edit, named as in First run's fields. */
export type S3SignInValues = Pick<
  Fields,
  'keys' | 'accessKeyId' | 'secretAccessKey' | 'region' | 'pathStyle' | 'storageClass'
>;

/**
 * One shared part's props. First run explains the fields; Settings → Storage, which edits saved
 * storage, gives `saved` instead: whether the access key is held for the session (never its value).
 */
interface PartProps {
  values: S3SignInValues;
  set: (change: Partial<S3SignInValues>) => void;
  saved?: { accessKeyHeld: boolean };
}

/** The access key: typed here, or from the AWS environment variables or profile. */
export function S3AccessKeyFields({ values, set, saved }: PartProps) {
  const id = useId();
  return (
    <>
      <fieldset className="choice">
        <legend>Access key</legend>
        <ul className="choice-list">
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-keys`}
                checked={values.keys === 'typed'}
                onChange={() => set({ keys: 'typed' })}
              />
              {saved ? 'Entered in Cairn' : 'Enter the access key here'}
            </label>
          </li>
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-keys`}
                checked={values.keys === 'environment'}
                onChange={() => set({ keys: 'environment' })}
              />
              From the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile)
            </label>
          </li>
        </ul>
      </fieldset>
      {values.keys === 'typed' && (
        <>
          {saved && <p className="hint">{heldHint(saved.accessKeyHeld)}</p>}
          <label htmlFor={`${id}-key-id`}>Access key ID</label>
          <input
            id={`${id}-key-id`}
            value={values.accessKeyId}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => set({ accessKeyId: event.target.value })}
          />
          <label htmlFor={`${id}-secret`}>Secret access key</label>
          <input
            id={`${id}-secret`}
            type="password"
            autoComplete="off"
            value={values.secretAccessKey}
            onChange={(event) => set({ secretAccessKey: event.target.value })}
          />
        </>
      )}
    </>
  );
}

/** The region and path-style addressing. */
export function S3RegionFields({ values, set, saved }: PartProps) {
  const id = useId();
  return (
    <>
      <label htmlFor={`${id}-region`}>Region (optional)</label>
      <input
        id={`${id}-region`}
        value={values.region}
        placeholder={saved ? undefined : 'e.g. us-east-1'}
        spellCheck={false}
        onChange={(event) => set({ region: event.target.value })}
      />
      <ul className="choice-list">
        <li>
          <label>
            <input
              type="checkbox"
              checked={values.pathStyle}
              onChange={(event) => set({ pathStyle: event.target.checked })}
            />
            Path-style addressing (the bucket in the path, as Ceph and MinIO need)
          </label>
        </li>
      </ul>
    </>
  );
}

/** The storage class of the data (upper case as typed). */
export function S3StorageClassField({ values, set, saved }: PartProps) {
  const id = useId();
  return (
    <>
      <label htmlFor={`${id}-class`}>Storage class (optional)</label>
      <input
        id={`${id}-class`}
        value={values.storageClass}
        placeholder={saved ? undefined : 'default: STANDARD'}
        spellCheck={false}
        aria-describedby={saved ? undefined : `${id}-class-hint`}
        onChange={(event) => set({ storageClass: event.target.value.toUpperCase() })}
      />
      {!saved && (
        <p id={`${id}-class-hint`} className="hint">
          For the data only, such as STANDARD_IA; Cairn keeps its small index files in the standard class.
        </p>
      )}
    </>
  );
}
