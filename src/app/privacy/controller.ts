/**
 * Who the controller is, for the records of processing (GDPR Art. 30(1)(a)): the controller's
 * name and contact details and, where one is designated, the data protection officer's contact.
 * Kept in `<dataDir>/privacy/controller.json`, written atomically under the lock. Each change is
 * audited ('controller.changed') by the fields it changed, never their values: the audit trail
 * cannot be rewritten, and a sole trader's name and address are personal data.
 */
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import type { AuditTrail } from './audit-trail.js';
import { readJsonFile, withFileLock, writeFileAtomic } from './files.js';

export const CONTROLLER_FILE = 'controller.json';
const MAX_NAME = 200;
const MAX_CONTACT = 500;

export interface ControllerDetails {
  /** The controller's name (a person or an organisation); null until set. */
  name: string | null;
  /** Postal address and/or email, as the records should show it; null until set. */
  contact: string | null;
  /** The data protection officer's contact, when one is designated (Art. 37). */
  dpoContact: string | null;
  /** When the details were last changed; null until set. */
  updatedAt: string | null;
}

export interface ControllerChange {
  name?: string;
  contact?: string;
  /** null or "" removes it. */
  dpoContact?: string | null;
}

const EMPTY: ControllerDetails = { name: null, contact: null, dpoContact: null, updatedAt: null };

function clean(value: string, what: string, max: number): string {
  const text = value.replace(/\s+/g, ' ').trim();
  if (text.length > max)
    throw new CairnError('invalid-argument', `the ${what} is too long (at most ${max} characters)`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(text))
    throw new CairnError('invalid-argument', `the ${what} holds control characters`);
  return text;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

export class ControllerStore {
  readonly file: string;

  constructor(
    readonly dir: string,
    private readonly audit: AuditTrail,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(dir, CONTROLLER_FILE);
  }

  read(): ControllerDetails {
    const stored = readJsonFile<Partial<ControllerDetails>>(this.file, {});
    if (!stored || typeof stored !== 'object') return EMPTY;
    return {
      name: text(stored.name),
      contact: text(stored.contact),
      dpoContact: text(stored.dpoContact),
      updatedAt: text(stored.updatedAt),
    };
  }

  /**
   * Changes the details; afterwards both the name and the contact must be known (a record naming
   * a controller nobody can reach is no record). Returns the details as stored.
   */
  set(change: ControllerChange): ControllerDetails {
    const next: Partial<ControllerDetails> = {};
    if (change.name !== undefined) next.name = clean(change.name, "controller's name", MAX_NAME);
    if (change.contact !== undefined) next.contact = clean(change.contact, "controller's contact", MAX_CONTACT);
    if (change.dpoContact !== undefined) {
      next.dpoContact =
        change.dpoContact === null
          ? null
          : clean(change.dpoContact, "data protection officer's contact", MAX_CONTACT) || null;
    }
    if (Object.keys(next).length === 0)
      throw new CairnError('invalid-argument', 'nothing to change: give a name, a contact or a DPO contact');
    const { stored, changed } = withFileLock(this.dir, 'controller', () => {
      const current = this.read();
      const merged: ControllerDetails = { ...current, ...next, updatedAt: this.now().toISOString() };
      if (!merged.name)
        throw new CairnError('invalid-argument', "give the controller's name (a person or an organisation)");
      if (!merged.contact)
        throw new CairnError('invalid-argument', "give the controller's contact (a postal address or an email)");
      const changed = (['name', 'contact', 'dpoContact'] as const).filter((k) => merged[k] !== current[k]);
      if (changed.length > 0) writeFileAtomic(this.file, `${JSON.stringify(merged, null, 2)}\n`);
      return { stored: changed.length > 0 ? merged : current, changed };
    });
    if (changed.length > 0) this.audit.append('controller.changed', { changed });
    return stored;
  }
}
