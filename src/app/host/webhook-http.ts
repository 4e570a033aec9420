/**
 * Sending one alert request over HTTP(S), bounded: each attempt has a time limit for the whole
 * exchange (10 s by default), and an attempt that met no answer, a timeout, 408, 429 or a 5xx is
 * tried again after a pause (twice by default); any other answer is final. Redirects are not
 * followed: a ping URL that moved is a wrong address to fix, not one to guess. User information
 * in the address is sent as HTTP Basic authorization (as curl does), never in the request line.
 * The outcome is said in plain words naming only the host, never the address, which holds
 * secrets.
 */
import http from 'node:http';
import https from 'node:https';
import type { WebhookRequest } from './webhook-message.js';

export interface SendOptions {
  /** Time for one attempt, from connecting to the answer's status line. */
  timeoutMs: number;
  /** The pauses before the second, third… attempt. */
  retryDelaysMs: number[];
  userAgent: string;
  /** Stops waiting (the host is closing). */
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRY_DELAYS_MS = [2_000, 8_000];

export interface SendOutcome {
  ok: boolean;
  /** The last answer's HTTP status, or null when none came. */
  status: number | null;
  attempts: number;
  /** E.g. "hc-ping.com answered 200 OK", "ntfy.sh did not answer within 10 s (tried 3 times)". */
  message: string;
}

interface Attempt {
  status: number | null;
  /** What went wrong, after the host's name; null when the answer was a success. */
  problem: string | null;
  retry: boolean;
}

function statusWords(status: number): string {
  return `${status} ${http.STATUS_CODES[status] ?? ''}`.trim();
}

/** An answer's status, judged. */
function judge(status: number): Attempt {
  const words = statusWords(status);
  if (status >= 200 && status < 300) return { status, problem: null, retry: false };
  if (status >= 300 && status < 400) {
    return { status, problem: `answered ${words}: the address moved; use the one it points to`, retry: false };
  }
  if (status === 401 || status === 403) {
    return {
      status,
      problem: `refused it (${words}): the address needs a user name and password or a token, or they are wrong`,
      retry: false,
    };
  }
  if (status === 404) return { status, problem: `does not know this address (${words})`, retry: false };
  if (status === 408 || status === 429 || status >= 500) return { status, problem: `answered ${words}`, retry: true };
  return { status, problem: `refused it (${words})`, retry: false };
}

function describeNetworkError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused the connection (nothing listens there)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'could not be found (no such host name)';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'closed the connection';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'cannot be reached from this computer';
  }
  if (typeof err.code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(err.code)) {
    return `has a certificate this computer does not trust (${err.code})`;
  }
  return `could not be reached: ${err.message || String(err)}`;
}

function once(request: WebhookRequest, options: SendOptions): Promise<Attempt> {
  return new Promise((resolve) => {
    const { url } = request;
    const headers: Record<string, string | number> = {
      ...request.headers,
      'User-Agent': options.userAgent,
      'Content-Length': Buffer.byteLength(request.body),
    };
    if (url.username || url.password) {
      const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }
    let settled = false;
    const finish = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(attempt);
    };
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        agent: false,
      },
      (res) => {
        res.resume();
        finish(judge(res.statusCode ?? 0));
      },
    );
    const seconds = Math.round((options.timeoutMs / 1000) * 10) / 10;
    const timer = setTimeout(() => {
      req.destroy();
      finish({ status: null, problem: `did not answer within ${seconds} s`, retry: true });
    }, options.timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish({ status: null, problem: 'was not reached: Cairn stopped before it answered', retry: false });
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish({ status: null, problem: describeNetworkError(err), retry: true }));
    req.end(request.body);
  });
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Sends `request`, retrying as the header says; never throws. */
export async function sendWebhook(request: WebhookRequest, options: SendOptions): Promise<SendOutcome> {
  const host = request.url.host;
  const tries = 1 + options.retryDelaysMs.length;
  let last: Attempt = { status: null, problem: 'was not tried', retry: false };
  let attempts = 0;
  for (let i = 0; i < tries; i++) {
    if (i > 0) {
      await pause(options.retryDelaysMs[i - 1] ?? 0, options.signal);
      if (options.signal?.aborted) break;
    }
    attempts++;
    last = await once(request, options);
    if (last.problem === null || !last.retry) break;
  }
  if (last.problem === null) {
    return { ok: true, status: last.status, attempts, message: `${host} answered ${statusWords(last.status ?? 0)}` };
  }
  const tried = attempts > 1 ? ` (tried ${attempts} times)` : '';
  return { ok: false, status: last.status, attempts, message: `${host} ${last.problem}${tried}` };
}
