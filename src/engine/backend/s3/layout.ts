/**
 * Where each object lives in the bucket: the same layout as a local repository folder
 * (local.ts), below the location's prefix:
 *
 *   <prefix>/config
 *   <prefix>/data/<first two hex chars of the id>/<id>
 *   <prefix>/{keys,index,snapshots,locks}/<id>
 *
 * Why the data shards, when S3 has no folders: a listing without a delimiter walks all 256 shards
 * in the same 1000-key pages as a flat folder would, so they cost nothing when listing; they
 * spread packs over key ranges (S3 partitions request rates by prefix); and a repository folder
 * copied to a bucket as it is (rclone, `aws s3 sync`) opens unchanged, and back.
 */
import { assertValidKind, assertValidRef, isValidId } from '../refs.js';
import { OBJECT_KINDS, type ObjectKind, type ObjectRef } from '../types.js';

const FOLDER_MARKER = /^((keys|index|snapshots|locks)\/|data\/([0-9a-f]{2}\/)?)$/;

export class KeyLayout {
  /** The key prefix every object of the repository starts with: '' or `<prefix>/`. */
  readonly root: string;

  constructor(prefix: string) {
    const trimmed = prefix.replace(/^\/+|\/+$/g, '');
    this.root = trimmed === '' ? '' : `${trimmed}/`;
  }

  /** The key of an object; the ref is validated first (code 'io'), so a key never leaves the prefix. */
  keyOf(ref: ObjectRef): string {
    assertValidRef(ref);
    if (ref.kind === 'config') return `${this.root}config`;
    if (ref.kind === 'data') return `${this.root}data/${ref.id.slice(0, 2)}/${ref.id}`;
    return `${this.root}${ref.kind}/${ref.id}`;
  }

  /** The prefix to list for a kind (not 'config', which is a single key). */
  kindPrefix(kind: Exclude<ObjectKind, 'config'>): string {
    assertValidKind(kind);
    return `${this.root}${kind}/`;
  }

  /** The id a listed key of `kind` names, or undefined for anything not at its place in the layout. */
  idOf(kind: ObjectKind, key: string): string | undefined {
    if (!key.startsWith(this.root)) return undefined;
    const rest = key.slice(this.root.length);
    if (kind === 'config') return rest === 'config' ? 'config' : undefined;
    const id = rest.slice(rest.lastIndexOf('/') + 1);
    if (!isValidId(kind, id)) return undefined;
    return this.keyOf({ kind, id }) === key ? id : undefined;
  }

  /**
   * True for a key that is some object of the layout, or a "folder" marker at one of its folders
   * (some tools make those): create() accepts such leftovers as an interrupted create.
   */
  isOurs(key: string): boolean {
    if (!key.startsWith(this.root)) return false;
    const rest = key.slice(this.root.length);
    if (rest === '' || FOLDER_MARKER.test(rest)) return true;
    const kind = (rest === 'config' ? 'config' : rest.slice(0, rest.indexOf('/'))) as ObjectKind;
    return OBJECT_KINDS.includes(kind) && this.idOf(kind, key) !== undefined;
  }
}
