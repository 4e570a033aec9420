/**
 * The headless HTTP face of the engine (`cairn serve`): the contract over `POST /api/<method>`,
 * events over Server-Sent Events (`GET /api/events?token=…`), and the built interface as static
 * files. It listens on 127.0.0.1 only and requires a fresh random token per start.
 *
 * Status codes: 200 result · 400 invalid-request (malformed JSON, schema failure) · 401 missing or
 * wrong token · 403 wrong-password, or a foreign Origin · 404 unknown-method, not-found,
 * no-repository · 405 wrong HTTP method · 409 locked · 413 body over 1 MiB · 421 foreign Host
 * header (DNS rebinding) · 422 integrity, invalid-argument, unsupported-format · 507 no-space ·
 * 500 io, internal. Every error body is `{ "error": { "code", "message" } }`; errors that are not
 * contract failures (401, 403 origin, 405, 413, 421) use the code `invalid-request`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EngineHost, toContractError } from '../app/host/engine-host.js';
import { RECORD_STYLE_SOURCE } from '../app/privacy/record-style.js';
import { ContractError, type ContractErrorCode } from '../contract/errors.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Oversized bodies up to this size are read and discarded so the client sees the 413 cleanly. */
const DRAIN_LIMIT = 16 * MAX_BODY_BYTES;
const KEEP_ALIVE_MS = 15_000;

/** The page's policy: its own files only, plus the one inline style of the printable records (record-style.ts). */
export const CONTENT_SECURITY_POLICY = `default-src 'self'; script-src 'self'; style-src 'self' ${RECORD_STYLE_SOURCE}; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

const STATUS: Record<ContractErrorCode, number> = {
  'invalid-request': 400,
  'unknown-method': 404,
  'wrong-password': 403,
  'no-repository': 404,
  'not-found': 404,
  locked: 409,
  integrity: 422,
  'no-space': 507,
  'unsupported-format': 422,
  'invalid-argument': 422,
  io: 500,
  // Unavailable For Legal Reasons (RFC 7725): the point is restricted under GDPR Art. 18.
  restricted: 451,
  internal: 500,
};

export function statusFor(code: ContractErrorCode): number {
  return STATUS[code];
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export interface ServerOptions {
  host: EngineHost;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The built interface; default `out/renderer` in the package root. */
  staticDir?: string;
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** The folder holding package.json above this module (works from src/ and from dist/). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Cairn</title></head>
<body>
<h1>Cairn is running</h1>
<p>The engine and its API are available, but the graphical interface has not been built.</p>
<p>To build it, run <code>npm run build</code> in the Cairn folder, then start <code>cairn serve</code> again.</p>
</body>
</html>
`;

function securityHeaders(res: http.ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(text);
}

function sendError(
  res: http.ServerResponse,
  status: number,
  code: ContractErrorCode,
  message: string,
  extra?: http.OutgoingHttpHeaders,
): void {
  sendJson(res, status, { error: { code, message } }, extra);
}

function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearer(req: http.IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

type BodyResult = { ok: true; text: string } | { ok: false; tooLarge: true };

function readBody(req: http.IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > DRAIN_LIMIT) {
      resolve({ ok: false, tooLarge: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > MAX_BODY_BYTES;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (size > DRAIN_LIMIT) {
        req.removeAllListeners('data');
        req.pause();
        resolve({ ok: false, tooLarge: true });
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(tooLarge ? { ok: false, tooLarge: true } : { ok: true, text: Buffer.concat(chunks).toString('utf8') }),
    );
    req.on('error', reject);
  });
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { host } = options;
  const token = randomBytes(32).toString('base64url');
  const staticDir = path.resolve(options.staticDir ?? path.join(packageRoot(), 'out', 'renderer'));
  const streams = new Set<http.ServerResponse>();
  let port = 0;

  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = (): Set<string> => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    securityHeaders(res);
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts().has(hostHeader)) {
      req.resume();
      sendError(res, 421, 'invalid-request', `this server answers only to 127.0.0.1:${port} and localhost:${port}`, {
        Connection: 'close',
      });
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${hostHeader}`);
    } catch {
      req.resume();
      sendError(res, 400, 'invalid-request', 'the request URL cannot be read');
      return;
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      await handleApi(req, res, url);
      return;
    }
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 405, 'invalid-request', `${req.method} is not allowed here`, { Allow: 'GET, HEAD' });
      return;
    }
    serveStatic(req, res, url);
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) {
      req.resume();
      sendError(res, 403, 'invalid-request', `requests from ${origin} are not allowed`, { Connection: 'close' });
      return;
    }
    if (url.pathname === '/api/events') {
      req.resume();
      if (req.method !== 'GET') {
        sendError(res, 405, 'invalid-request', 'events are read with GET', { Allow: 'GET' });
        return;
      }
      if (!tokenMatches(url.searchParams.get('token') ?? bearer(req), token)) {
        sendError(
          res,
          401,
          'invalid-request',
          'missing or wrong access token: use the address printed by "cairn serve"',
        );
        return;
      }
      openEventStream(res);
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      sendError(res, 405, 'invalid-request', 'API methods are called with POST', { Allow: 'POST' });
      return;
    }
    if (!tokenMatches(bearer(req), token)) {
      req.resume();
      sendError(res, 401, 'invalid-request', 'missing or wrong access token: send "Authorization: Bearer TOKEN"', {
        'WWW-Authenticate': 'Bearer',
      });
      return;
    }
    const body = await readBody(req);
    if (!body.ok) {
      sendError(res, 413, 'invalid-request', `the request body is larger than ${MAX_BODY_BYTES} bytes`, {
        Connection: 'close',
      });
      return;
    }
    const method = decodeURIComponentSafe(url.pathname.slice('/api/'.length));
    let params: unknown = {};
    if (body.text.trim() !== '') {
      try {
        params = JSON.parse(body.text);
      } catch (err) {
        sendError(res, 400, 'invalid-request', `the request body is not valid JSON (${(err as Error).message})`);
        return;
      }
    }
    try {
      const result = await host.handle(method ?? '', params);
      sendJson(res, 200, result);
    } catch (err) {
      const e = toContractError(err);
      sendError(res, statusFor(e.code), e.code, e.message);
    }
  }

  function openEventStream(res: http.ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    streams.add(res);
    const unsubscribe = host.subscribe((event) => {
      res.write(`event: ${event.name}\ndata: ${JSON.stringify(event.payload)}\n\n`);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    const stop = () => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(res);
    };
    // Not req's 'close': a request emits it once its (empty) body is read, not when the client leaves.
    res.on('close', stop);
  }

  function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const pathname = decodeURIComponentSafe(url.pathname);
    if (pathname === undefined || pathname.includes('\0')) {
      sendError(res, 400, 'invalid-request', 'the request path cannot be read');
      return;
    }
    if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
      sendFileBody(req, res, 200, 'text/html; charset=utf-8', Buffer.from(NOT_BUILT_PAGE));
      return;
    }
    const resolved = path.resolve(staticDir, `.${pathname}`);
    if (resolved !== staticDir && !resolved.startsWith(staticDir + path.sep)) {
      sendError(res, 404, 'not-found', 'no such file');
      return;
    }
    let file = resolved;
    let stat = statOrUndefined(file);
    if (stat?.isDirectory()) {
      file = path.join(file, 'index.html');
      stat = statOrUndefined(file);
    }
    if (!stat?.isFile()) {
      // Paths without a file extension are routes of the single-page interface.
      if (path.extname(pathname) !== '') {
        sendError(res, 404, 'not-found', 'no such file');
        return;
      }
      file = path.join(staticDir, 'index.html');
    }
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    let content: Buffer;
    try {
      content = fs.readFileSync(file);
    } catch {
      sendError(res, 404, 'not-found', 'no such file');
      return;
    }
    sendFileBody(req, res, 200, type, content);
  }

  function sendFileBody(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    type: string,
    content: Buffer,
  ): void {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': content.length, 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : content);
  }

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const e = err instanceof ContractError ? err : toContractError(err);
      sendError(res, statusFor(e.code), e.code, e.message);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/`,
    token,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const stream of streams) stream.end();
        streams.clear();
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
  };
}

function decodeURIComponentSafe(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
