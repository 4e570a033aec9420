/**
 * The style sheet of the printable records of processing (processing-record.ts), and its hash for
 * the Content-Security-Policy of the app's page: the app shows the records in a frame of its own
 * (srcdoc), which takes the page's policy, and that policy allows no inline style but this one.
 * Without the hash the records showed unstyled and the console reported the blocked style.
 */
import { createHash } from 'node:crypto';

export const RECORD_STYLE = `
body { font: 11pt/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #111; }
h1 { font-size: 1.6em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #bbb; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #eee; } .none { color: #555; font-style: italic; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
`;

/** The CSP source that allows exactly RECORD_STYLE as an inline style: `'sha256-…'`. */
export const RECORD_STYLE_SOURCE = `'sha256-${createHash('sha256').update(RECORD_STYLE).digest('base64')}'`;
