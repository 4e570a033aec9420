import { describe, expect, it } from 'vitest';
import {
  describeDelivery,
  describeLastDelivery,
  formFrom,
  formParams,
  formProblem,
  testParams,
  testProblem,
  type WebhookView,
} from './alert-webhook-form.js';

const stored: WebhookView = {
  kind: 'ntfy',
  address: 'https://ntfy.sh/cair…',
  host: 'ntfy.sh',
  pingStart: false,
  region: 'EU',
  lastDelivery: null,
};

describe('the alerts form', () => {
  it('starts from the stored webhook with an empty address, which then keeps the stored one', () => {
    const form = formFrom(stored);
    expect(form).toEqual({ kind: 'ntfy', url: '', pingStart: false, region: 'EU' });
    expect(formProblem(stored, form)).toBeNull();
    expect(formParams(form)).toEqual({ kind: 'ntfy', pingStart: false, region: 'EU' });
    expect(testParams(form)).toEqual({});
  });

  it('needs an http(s) address when none is stored', () => {
    const form = formFrom(null);
    expect(form.kind).toBe('healthchecks');
    expect(formProblem(null, form)).toBe('Enter the web address alerts are sent to.');
    expect(testProblem(null, form)).toBe('Enter the web address to send a test to.');
    expect(formProblem(null, { ...form, url: 'hc-ping.com/abc' })).toMatch(/^That is not a web address/);
    expect(formProblem(null, { ...form, url: 'ftp://example.org/x' })).toBe(
      'Alerts can only be sent to http:// or https:// addresses.',
    );
    const typed = { ...form, url: ' https://hc-ping.com/abc ', pingStart: true };
    expect(formProblem(null, typed)).toBeNull();
    expect(formParams(typed)).toEqual({
      kind: 'healthchecks',
      url: 'https://hc-ping.com/abc',
      pingStart: true,
      region: null,
    });
    expect(testParams(typed)).toEqual({ kind: 'healthchecks', url: 'https://hc-ping.com/abc' });
  });

  it('sends no ping at start for an ntfy topic', () => {
    expect(formParams({ kind: 'ntfy', url: 'https://ntfy.sh/x', pingStart: true, region: '' }).pingStart).toBe(false);
  });

  it('says how a delivery went', () => {
    const failed = {
      at: '2026-01-02T10:00:00.000Z',
      event: 'backup.failed',
      ok: false,
      status: 404,
      message: 'ntfy.sh does not know this address (404 Not Found)',
    };
    expect(describeDelivery(failed)).toBe('Not sent: ntfy.sh does not know this address (404 Not Found).');
    expect(describeLastDelivery(failed, new Date('2026-01-02T10:05:00.000Z'))).toBe(
      'Last alert (backup failed), 5 minutes ago: not sent: ntfy.sh does not know this address (404 Not Found).',
    );
    expect(describeDelivery({ ...failed, ok: true, status: 200, message: 'ntfy.sh answered 200 OK' })).toBe(
      'Sent: ntfy.sh answered 200 OK.',
    );
  });
});
