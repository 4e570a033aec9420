/**
 * The headless server over real HTTP: authentication, status codes, security headers and
 * checks (Host, Origin, traversal, body size), and whole task lifecycles against a real catalog
 * and real repositories in temp folders (backup → events → recovery point → restore, cancel).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import type { Task } from '../../src/app/host/task-manager.js';
import { CONTENT_SECURITY_POLICY, type RunningServer, startServer } from '../../src/server/index.js';
import { TestHost } from '../support/host.js';

const PASSWORD = 'correct horse battery staple';

// biome-ignore lint/suspicious/noExplicitAny: JSON replies are checked field by field by the assertions
type Json = any;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): Json;
}

function request(
  server: RunningServer,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function call(server: RunningServer, method: string, params: unknown, token = server.token): Promise<Reply> {
  return request(server, {
    method: 'POST',
    path: `/api/${method}`,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
}

async function ok(server: RunningServer, method: string, params: unknown): Promise<Json> {
  const reply = await call(server, method, params);
  if (reply.status !== 200) throw new Error(`${method} answered ${reply.status}: ${reply.text}`);
  return reply.json();
}

/** A Server-Sent Events reader over a real HTTP connection. */
class EventStream {
  readonly events: { name: string; data: Json }[] = [];
  private waiters: {
    test: (e: { name: string; data: Json }) => boolean;
    resolve: (e: { name: string; data: Json }) => void;
  }[] = [];
  private req?: http.ClientRequest;
  status = 0;
  contentType = '';

  open(server: RunningServer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.req = http.get(
        { host: '127.0.0.1', port: server.port, path: `/api/events?token=${encodeURIComponent(server.token)}` },
        (res) => {
          this.status = res.statusCode ?? 0;
          this.contentType = String(res.headers['content-type']);
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            for (;;) {
              const end = buffer.indexOf('\n\n');
              if (end < 0) break;
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              this.parse(block);
            }
          });
          res.on('error', () => undefined);
          resolve();
        },
      );
      this.req.on('error', (err) => (this.status === 0 ? reject(err) : undefined));
    });
  }

  private parse(block: string): void {
    let name = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) name = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length === 0) return;
    const event = { name, data: JSON.parse(data.join('\n')) };
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (!w.test(event)) return true;
      w.resolve(event);
      return false;
    });
  }

  /** The first event (already received or coming) that passes `test`. */
  next(test: (e: { name: string; data: Json }) => boolean): Promise<{ name: string; data: Json }> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  taskFinished(taskId: string): Promise<Task> {
    return this.next(
      (e) =>
        e.name === 'task.updated' &&
        e.data.id === taskId &&
        ['succeeded', 'failed', 'cancelled'].includes(e.data.status),
    ).then((e) => e.data as Task);
  }

  close(): void {
    this.req?.destroy();
  }
}

async function writeTree(root: string, files: number, size: number, seed: string): Promise<void> {
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `dir${i % 4}`);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, `file${i}.bin`), i === 0 ? Buffer.from(`hello ${seed}\n`) : randomBytes(size));
  }
}

async function hashTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else
        out.set(
          path.relative(root, full),
          createHash('sha256')
            .update(await fs.readFile(full))
            .digest('hex'),
        );
    }
  };
  await walk(root);
  return out;
}

describe('cairn serve over HTTP', () => {
  let fixture: TestHost;
  let tmp: string;
  let host: EngineHost;
  let server: RunningServer;
  let staticDir: string;

  beforeAll(async () => {
    fixture = await TestHost.open('http');
    ({ tmp, host } = fixture);
    staticDir = path.join(tmp, 'ui');
    await fs.mkdir(path.join(staticDir, 'assets'), { recursive: true });
    await fs.writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>Cairn UI</title>');
    await fs.writeFile(path.join(staticDir, 'assets', 'app.js'), 'console.log("ui");');
    await fs.writeFile(path.join(tmp, 'secret.txt'), 'TOP-SECRET-OUTSIDE');
    server = await startServer({ host, port: 0, staticDir });
  });

  afterAll(async () => {
    await server?.close();
    await fixture?.close();
  });

  it('listens on 127.0.0.1 with a fresh 32-byte token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(server.token, 'base64url')).toHaveLength(32);
  });

  it('refuses API calls without or with a wrong token (401)', async () => {
    const none = await request(server, { method: 'POST', path: '/api/app.status', body: '{}' });
    expect(none.status).toBe(401);
    expect(none.json().error.message).toMatch(/token/);
    const wrong = await call(server, 'app.status', {}, `${server.token.slice(0, -1)}x`);
    expect(wrong.status).toBe(401);
    const events = await request(server, { path: '/api/events?token=nope' });
    expect(events.status).toBe(401);
  });

  it('answers app.status with JSON (200)', async () => {
    const reply = await call(server, 'app.status', {});
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/application\/json/);
    expect(reply.json()).toMatchObject({ version: '0.1.0', dataDir: path.join(tmp, 'data'), runningTasks: 0 });
  });

  it('gives 400 with the reason for malformed JSON and schema failures', async () => {
    const bad = await request(server, {
      method: 'POST',
      path: '/api/app.status',
      headers: { Authorization: `Bearer ${server.token}` },
      body: '{"oops"',
    });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'invalid-request' });
    expect(bad.json().error.message).toMatch(/not valid JSON/);
    const schema = await call(server, 'repo.create', { location: '', password: 'x', label: 'L', region: 'Mars' });
    expect(schema.status).toBe(400);
    expect(schema.json().error.code).toBe('invalid-request');
    expect(schema.json().error.message).toMatch(/location:/);
    expect(schema.json().error.message).toMatch(/region:/);
  });

  it('gives 404 for an unknown method and 413 for a body over 1 MiB', async () => {
    const unknown = await call(server, 'nope.nothing', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'unknown-method' });
    const big = await call(server, 'app.status', { padding: 'x'.repeat(1024 * 1024 + 10) });
    expect(big.status).toBe(413);
  });

  it('rejects a foreign Host (421) and a foreign Origin (403)', async () => {
    const foreignHost = await request(server, {
      method: 'POST',
      path: '/api/app.status',
      headers: { Host: `evil.example:${server.port}`, Authorization: `Bearer ${server.token}` },
      body: '{}',
    });
    expect(foreignHost.status).toBe(421);
    const page = await request(server, { path: '/', headers: { Host: 'attacker.test' } });
    expect(page.status).toBe(421);
    const foreignOrigin = await request(server, {
      method: 'POST',
      path: '/api/app.status',
      headers: { Origin: 'http://evil.example', Authorization: `Bearer ${server.token}` },
      body: '{}',
    });
    expect(foreignOrigin.status).toBe(403);
    const ownOrigin = await request(server, {
      method: 'POST',
      path: '/api/app.status',
      headers: {
        Origin: `http://localhost:${server.port}`,
        Host: `localhost:${server.port}`,
        Authorization: `Bearer ${server.token}`,
      },
      body: '{}',
    });
    expect(ownOrigin.status).toBe(200);
  });

  it('serves the interface with a strict CSP, content types and SPA fallback', async () => {
    const index = await request(server, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.text).toContain('Cairn UI');
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    const js = await request(server, { path: '/assets/app.js' });
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.text).toContain('console.log');
    const route = await request(server, { path: '/snapshots/abc' });
    expect(route.status).toBe(200);
    expect(route.text).toContain('Cairn UI');
    const missing = await request(server, { path: '/assets/missing.js' });
    expect(missing.status).toBe(404);
  });

  it('never serves files outside the interface folder', async () => {
    for (const p of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/../package.json',
    ]) {
      const reply = await request(server, { path: p });
      expect(reply.text, p).not.toContain('TOP-SECRET-OUTSIDE');
      expect(reply.text, p).not.toContain('"devDependencies"');
    }
  });

  it('says the interface is not built when its folder is missing', async () => {
    const bare = await startServer({ host, port: 0, staticDir: path.join(tmp, 'no-such-ui') });
    try {
      const reply = await request(bare, { path: '/' });
      expect(reply.status).toBe(200);
      expect(reply.text).toContain('npm run build');
      expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      const traversal = await request(bare, { path: '/../package.json' });
      expect(traversal.text).not.toContain('"devDependencies"');
    } finally {
      await bare.close();
    }
  });

  it('runs create → source → backup (with events) → recovery point → restore, byte for byte', async () => {
    const source = path.join(tmp, 'source');
    await writeTree(source, 24, 64 * 1024, 'lifecycle');
    const stream = new EventStream();
    await stream.open(server);
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      const info = await ok(server, 'repo.create', {
        location: path.join(tmp, 'repo-a'),
        password: PASSWORD,
        label: 'Backup disk',
        region: 'this-device',
      });
      expect(info).toMatchObject({ label: 'Backup disk', unlocked: true, lastBackupAt: null });
      const src = await ok(server, 'sources.add', { repositoryId: info.id, path: source });
      expect(src).toMatchObject({ repositoryId: info.id, path: source, excludes: [] });
      expect(await ok(server, 'sources.list', { repositoryId: info.id })).toHaveLength(1);

      const { taskId } = await ok(server, 'backup.start', { repositoryId: info.id });
      const done = await stream.taskFinished(taskId);
      expect(done.status, done.error ?? '').toBe('succeeded');
      const updates = stream.events
        .filter((e) => e.name === 'task.updated' && e.data.id === taskId)
        .map((e) => e.data as Task);
      expect(updates.map((u) => u.status)).toContain('running');
      expect(updates.some((u) => u.progress !== null && u.progress.files > 0 && u.progress.bytes > 0)).toBe(true);
      expect(done.progress).toMatchObject({ files: 24 });
      expect(done.result).toMatchObject({ totalFiles: 24, partial: false });

      const task = await ok(server, 'tasks.get', { id: taskId });
      expect(task).toMatchObject({ id: taskId, kind: 'backup', status: 'succeeded', repositoryId: info.id });
      expect((await ok(server, 'tasks.list', {})).map((t: Task) => t.id)).toContain(taskId);

      const snapshots = await ok(server, 'snapshots.list', { repositoryId: info.id });
      expect(snapshots).toHaveLength(1);
      expect(snapshots[0]).toMatchObject({ id: done.result?.snapshotId, totalFiles: 24, partial: false });
      const status = await ok(server, 'app.status', {});
      expect(status.lastSuccessfulBackupAt).toBe(snapshots[0].time);

      const listing = await ok(server, 'snapshots.browse', {
        repositoryId: info.id,
        snapshotId: snapshots[0].id,
        path: source,
      });
      expect(listing.map((e: { name: string }) => e.name)).toEqual(['dir0', 'dir1', 'dir2', 'dir3']);
      expect(listing[0]).toMatchObject({ type: 'dir', size: null, path: `${source}/dir0` });
      const files = await ok(server, 'snapshots.browse', {
        repositoryId: info.id,
        snapshotId: snapshots[0].id,
        path: `${source}/dir1`,
      });
      expect(files.every((e: { type: string; size: number }) => e.type === 'file' && e.size === 64 * 1024)).toBe(true);

      const target = path.join(tmp, 'restored');
      const restoreStart = await ok(server, 'restore.start', {
        repositoryId: info.id,
        snapshotId: snapshots[0].id,
        target,
      });
      const restored = await stream.taskFinished(restoreStart.taskId);
      expect(restored.status, restored.error ?? '').toBe('succeeded');
      expect(restored.result).toMatchObject({ filesRestored: 24 });
      const original = await hashTree(source);
      const copy = await hashTree(path.join(target, source));
      expect(copy.size).toBe(24);
      expect(copy).toEqual(original);

      const check = await ok(server, 'check.start', { repositoryId: info.id, readData: true });
      const checked = await stream.taskFinished(check.taskId);
      expect(checked.status, checked.error ?? '').toBe('succeeded');
      expect(checked.result).toMatchObject({ ok: true, snapshots: 1 });
      const [repo] = await ok(server, 'repo.list', {});
      expect(repo.lastCheckAt).not.toBeNull();

      // Locked repositories refuse work with a clear message.
      expect(await ok(server, 'repo.lock', { repositoryId: info.id })).toEqual({ ok: true });
      const refused = await call(server, 'snapshots.list', { repositoryId: info.id });
      expect(refused.status).toBe(409);
      expect(refused.json().error).toEqual({
        code: 'locked',
        message: 'the repository "Backup disk" is locked: unlock it with its password',
      });
      const wrong = await call(server, 'repo.unlock', { repositoryId: info.id, password: 'not the password' });
      expect(wrong.status).toBe(403);
      expect(wrong.json().error).toEqual({ code: 'wrong-password', message: 'wrong password (no key slot matches)' });
      expect(await ok(server, 'repo.unlock', { repositoryId: info.id, password: PASSWORD })).toMatchObject({
        unlocked: true,
      });
      expect(await ok(server, 'snapshots.list', { repositoryId: info.id })).toHaveLength(1);
      expect(stream.events.some((e) => e.name === 'app.status')).toBe(true);
    } finally {
      stream.close();
    }
  });

  it('cancels a running backup of a larger tree, and refuses a second backup of the same repository', async () => {
    const source = path.join(tmp, 'big');
    await writeTree(source, 160, 1024 * 1024, 'big');
    const stream = new EventStream();
    await stream.open(server);
    try {
      const info = await ok(server, 'repo.create', {
        location: path.join(tmp, 'repo-b'),
        password: PASSWORD,
        label: 'Big',
        region: 'EU',
      });
      await ok(server, 'sources.add', { repositoryId: info.id, path: source, excludes: ['*.tmp'] });
      const { taskId } = await ok(server, 'backup.start', { repositoryId: info.id });
      const second = await call(server, 'backup.start', { repositoryId: info.id });
      expect(second.status).toBe(409);
      expect(second.json().error.code).toBe('locked');
      expect(second.json().error.message).toMatch(/a backup of "Big" is already running/);

      await stream.next((e) => e.name === 'task.updated' && e.data.id === taskId && e.data.status === 'running');
      expect(await ok(server, 'tasks.cancel', { id: taskId })).toEqual({ ok: true });
      const done = await stream.taskFinished(taskId);
      expect(done.status).toBe('cancelled');
      const statuses = stream.events
        .filter((e) => e.name === 'task.updated' && e.data.id === taskId)
        .map((e) => e.data.status);
      expect(statuses).toContain('cancelling');
      expect(await ok(server, 'snapshots.list', { repositoryId: info.id })).toHaveLength(0);
      const again = await call(server, 'tasks.cancel', { id: taskId });
      expect(again.status).toBe(200);
      expect((await ok(server, 'app.status', {})).runningTasks).toBe(0);
    } finally {
      stream.close();
    }
  });

  it('maps engine failures to contract errors', async () => {
    const noRepo = await call(server, 'repo.connect', {
      location: path.join(tmp, 'nothing-here'),
      password: PASSWORD,
      label: 'x',
      region: 'EU',
    });
    expect(noRepo.status).toBe(404);
    expect(noRepo.json().error.code).toBe('no-repository');
    const unknownRepo = await call(server, 'backup.start', { repositoryId: 'abc' });
    expect(unknownRepo.status).toBe(404);
    expect(unknownRepo.json().error.code).toBe('not-found');
    const unknownTask = await call(server, 'tasks.get', { id: 'no-such-task' });
    expect(unknownTask.status).toBe(404);
    const relative = await call(server, 'sources.add', {
      repositoryId: (await ok(server, 'repo.list', {}))[0].id,
      path: 'rel/path',
    });
    expect(relative.status).toBe(422);
    expect(relative.json().error.code).toBe('invalid-argument');
  });
});
