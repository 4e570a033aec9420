/**
 * A real S3 server for tests: a throw-away Ceph RADOS Gateway on 127.0.0.1, started by
 * scripts/s3-server.sh in a temp folder on free ports (~2.5 s). One per test file is plenty:
 * give each test a fresh prefix or bucket (`freshName`). It is always stopped: by `stop()` (call
 * it in afterAll), on process exit, and by a watchdog shell that stops it should the test process
 * be killed outright, so no daemon outlives the tests.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Options } from '../../src/engine/backend/options.js';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/s3-server.sh');
const INSTALL_HINT = 'apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw';

export interface S3TestServer {
  /** Where S3 answers: always 127.0.0.1. */
  endpointHost: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  /** The server's folder (config, logs). */
  dir: string;
  /** The credentials as S3Backend takes them. */
  options: S3Options;
  /** A plain-HTTP location on this server. */
  location(bucket: string, prefix?: string): { tls: false; host: string; port: number; bucket: string; prefix: string };
  /** Stops RGW alone: connections are refused; the cluster and its data stay. */
  stopGateway(): Promise<void>;
  /** Starts RGW again on the same port, with the same users and data. */
  startGateway(): Promise<void>;
  /** Stops everything and removes the folder. Idempotent. */
  stop(): Promise<void>;
}

let counter = 0;

/** A name no other test (or test process) uses, valid as a bucket name and as a prefix. */
export function freshName(tag = 't'): string {
  counter++;
  return `${tag}-${process.pid}-${counter}-${randomBytes(3).toString('hex')}`.toLowerCase();
}

export async function startS3Server(): Promise<S3TestServer> {
  const missing = ['radosgw', 'ceph-mon', 'ceph-osd', 'radosgw-admin'].filter(
    (cmd) => spawnSync('bash', ['-c', `command -v ${cmd}`]).status !== 0,
  );
  if (missing.length > 0) {
    throw new Error(`the S3 tests need Ceph's RADOS Gateway (${missing.join(', ')} not found): ${INSTALL_HINT}`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-s3-'));
  const stopSync = () => {
    spawnSync('bash', [SCRIPT, 'stop', dir], { stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // Should this process die without running its exit handlers (SIGKILL), the watchdog stops the
  // cluster once the process is gone. It is detached so that it outlives us for exactly that.
  const watchdog = spawn(
    'bash',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; bash "$2" stop "$3"; rm -rf "$3"',
      'watchdog',
      String(process.pid),
      SCRIPT,
      dir,
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  const onExit = () => stopSync();
  process.once('exit', onExit);

  let port = 0;
  let env: Record<string, string> = {};
  for (let attempt = 1; ; attempt++) {
    port = await freePortPair();
    try {
      env = await run(['start', dir, String(port)], 180_000);
      break;
    } catch (err) {
      // Another process may have taken the port between our check and RGW's bind: try another.
      if (attempt < 3 && /already in use/.test(String(err))) continue;
      stopSync();
      process.removeListener('exit', onExit);
      throw err;
    }
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID ?? '';
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY ?? '';
  let stopped = false;
  return {
    endpointHost: '127.0.0.1',
    port,
    accessKeyId,
    secretAccessKey,
    dir,
    options: { accessKeyId, secretAccessKey },
    location: (bucket, prefix = '') => ({ tls: false, host: '127.0.0.1', port, bucket, prefix }),
    stopGateway: async () => {
      await run(['stop-rgw', dir], 30_000);
    },
    startGateway: async () => {
      await run(['start-rgw', dir], 60_000);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await run(['stop', dir], 60_000).catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
      process.removeListener('exit', onExit);
      if (watchdog.pid !== undefined) {
        try {
          process.kill(watchdog.pid);
        } catch {
          // already gone
        }
      }
    },
  };
}

/** Runs the script; returns the `export NAME=VALUE` lines it printed. */
function run(args: string[], timeout: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    execFile('bash', [SCRIPT, ...args], { timeout }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`scripts/s3-server.sh ${args[0]} failed: ${stderr.trim() || err.message}`));
        return;
      }
      const env: Record<string, string> = {};
      for (const m of stdout.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1] as string] = m[2] as string;
      resolve(env);
    });
  });
}

/** A port P with P+1 free too (RGW and the mon), outside the OSD's range 6800-7300. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await listenAndClose(0);
    if (port + 1 >= 6800 && port <= 7300) continue;
    if (port >= 65534) continue;
    if ((await listenAndClose(port + 1).catch(() => 0)) === port + 1) return port;
  }
}

function listenAndClose(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}
