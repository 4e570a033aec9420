/**
 * How Cairn reaches a repository's remote storage, in Settings → Storage: for an SFTP server the
 * way of signing in (SSH agent, key file with its passphrase, or password), the known-hosts file
 * and the trusted server key; for an S3 bucket the access key (typed, or from the environment),
 * region, addressing and storage class. The fields are First run's own (common/SftpFields.tsx,
 * common/S3Fields.tsx), over the editor's values; held secrets are said to be held, never shown: a
 * typed value replaces them.
 */
import { S3AccessKeyFields, S3RegionFields, type S3SignInValues, S3StorageClassField } from '../common/S3Fields.js';
import { SftpSignInFields, type SftpSignInValues } from '../common/SftpFields.js';
import type { StorageEditor, StoredStorage } from './storage-editor.js';

interface Props {
  stored: StoredStorage;
  editor: StorageEditor;
  set: (change: Partial<StorageEditor>) => void;
}

export function SignInFields(props: Props) {
  return props.stored.kind === 'sftp' ? <SftpSignIn {...props} /> : <S3SignIn {...props} />;
}

/** The editor's fields that hold a value of type T. */
type EditorFieldOf<T> = {
  [E in keyof StorageEditor]: [StorageEditor[E]] extends [T] ? ([T] extends [StorageEditor[E]] ? E : never) : never;
}[keyof StorageEditor];

/** For each value First run's fields name, the editor's field of the same type that holds it. */
type FieldMap<V> = { [K in keyof V]: EditorFieldOf<V[K]> };

/** The editor's field of each SFTP value First run's fields name. */
const SFTP_FIELDS = {
  auth: 'sftpAuth',
  identityFile: 'identityFile',
  passphrase: 'sftpPassphrase',
  password: 'sftpPassword',
  knownHostsFile: 'knownHostsFile',
  acceptHostKey: 'acceptHostKey',
} as const satisfies FieldMap<SftpSignInValues>;

/** The editor's field of each S3 value First run's fields name. */
const S3_FIELDS = {
  keys: 's3Keys',
  accessKeyId: 's3AccessKeyId',
  secretAccessKey: 's3SecretAccessKey',
  region: 'region',
  pathStyle: 'pathStyle',
  storageClass: 'storageClass',
} as const satisfies FieldMap<S3SignInValues>;

/** The editor's values under First run's names. */
function valuesOf<V>(editor: StorageEditor, fields: FieldMap<V>): V {
  const values: Partial<Record<keyof V, unknown>> = {};
  for (const name of Object.keys(fields) as Array<keyof V>) values[name] = editor[fields[name]];
  return values as V;
}

/** A change under First run's names, as a change of the editor. */
function editorChange<V>(change: Partial<V>, fields: FieldMap<V>): Partial<StorageEditor> {
  const renamed: Partial<Record<keyof StorageEditor, unknown>> = {};
  for (const name of Object.keys(change) as Array<keyof V>) renamed[fields[name]] = change[name];
  return renamed as Partial<StorageEditor>;
}

function SftpSignIn({ stored, editor, set }: Props) {
  const held = stored.credentialsHeld;
  return (
    <SftpSignInFields
      values={valuesOf<SftpSignInValues>(editor, SFTP_FIELDS)}
      set={(change) => set(editorChange(change, SFTP_FIELDS))}
      saved={{ passphraseHeld: held.sftpPassphrase, passwordHeld: held.sftpPassword }}
    />
  );
}

function S3SignIn({ stored, editor, set }: Props) {
  const held = stored.credentialsHeld;
  const part = {
    values: valuesOf<S3SignInValues>(editor, S3_FIELDS),
    set: (change: Partial<S3SignInValues>) => set(editorChange(change, S3_FIELDS)),
    saved: { accessKeyHeld: held.s3AccessKeyId && held.s3SecretAccessKey },
  };
  return (
    <>
      <S3AccessKeyFields {...part} />
      <S3RegionFields {...part} />
      <S3StorageClassField {...part} />
    </>
  );
}
