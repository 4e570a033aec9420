/**
 * The S3 client for one location: endpoint, region, addressing, credentials and the connection
 * pool. Settings that matter, and why:
 * - `maxAttempts: 1`: retries with backoff belong to the retry wrapper around every backend; a
 *   second retry loop in here would multiply waits and hide outages from it.
 * - checksums only WHEN_REQUIRED: by default the SDK sends stream bodies with aws-chunked
 *   framing, which Ceph RGW (and s3rver) refuse; integrity in transit comes from Content-MD5,
 *   which every S3 server checks.
 * - one keep-alive agent with `connections` sockets: a TCP (and TLS) handshake per request
 *   would cost more than a small object's transfer. The backend never runs more requests at
 *   once than that (s3-backend.ts), so none wait inside the agent.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Options, TransferOptions } from '../options.js';
import { BackendError } from '../types.js';
import { sdk } from './sdk.js';

export interface S3Endpoint {
  tls: boolean;
  host: string;
  port?: number;
  bucket: string;
  prefix: string;
}

export interface S3Connection {
  client: S3Client;
  region: string;
  /** How many requests may run at once (the agent's socket count). */
  connections: number;
  /** Secrets to keep out of messages. */
  secrets: string[];
  /** Closes the idle sockets. */
  destroy(): void;
}

/**
 * The remote default of options.ts. Against Ceph RGW on 127.0.0.1, 2, 4 and 8 connections moved
 * 16 MiB packs at the same rate (the server was the limit); on a real network more requests in
 * flight hide more latency, and 4 is what the transfer wrappers assume (remote-stack.ts).
 */
export const DEFAULT_CONNECTIONS = 4;
/** A connection attempt that takes longer is given up as 'unavailable'. */
const CONNECT_TIMEOUT_MS = 10_000;
/** A request whose socket is silent this long (no byte either way) fails as 'unavailable'. */
const IDLE_TIMEOUT_MS = 60_000;
/** Idle pooled sockets are closed after this, before servers drop them (AWS closes after ~20 s). */
const POOL_IDLE_MS = 15_000;

const SILENT = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** The region to sign for: the option, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. */
export function regionFor(options: S3Options, env: NodeJS.ProcessEnv = process.env): string {
  return options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
}

/**
 * Path-style (`host/bucket/key`) unless set: a host with a port, an IP address or localhost is a
 * self-hosted server (RGW, MinIO), which rarely has wildcard DNS for virtual-host buckets.
 */
export function pathStyleFor(endpoint: S3Endpoint, options: S3Options): boolean {
  if (options.pathStyle !== undefined) return options.pathStyle;
  const host = endpoint.host.toLowerCase();
  return endpoint.port !== undefined || net.isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost');
}

export function endpointUrl(endpoint: S3Endpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  const port = endpoint.port === undefined ? '' : `:${endpoint.port}`;
  return `${endpoint.tls ? 'https' : 'http'}://${host}${port}`;
}

export function connect(endpoint: S3Endpoint, options: S3Options, transfer: TransferOptions): S3Connection {
  const connections = Math.max(1, Math.floor(transfer.connections || DEFAULT_CONNECTIONS));
  const agentOptions = { keepAlive: true, maxSockets: connections, maxFreeSockets: connections, timeout: POOL_IDLE_MS };
  const region = regionFor(options);
  const config: S3ClientConfig = {
    endpoint: endpointUrl(endpoint),
    region,
    forcePathStyle: pathStyleFor(endpoint, options),
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // With our own agent the SDK sends the body without waiting for "100 Continue" anyway, so
    // the header would only cost the server an interim answer.
    expectContinueHeader: false,
    // Every failure reaches the caller as a BackendError; the SDK's own console warnings ("an
    // error was encountered in a non-retryable streaming request") would only repeat it.
    logger: SILENT,
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: IDLE_TIMEOUT_MS,
      httpAgent: endpoint.tls ? undefined : new http.Agent(agentOptions),
      httpsAgent: endpoint.tls ? new https.Agent(agentOptions) : undefined,
    },
  };
  const secrets: string[] = [];
  if (options.accessKeyId !== undefined || options.secretAccessKey !== undefined) {
    if (!options.accessKeyId || !options.secretAccessKey) {
      throw new BackendError('auth', 'S3 credentials need both an access key and a secret key');
    }
    config.credentials = {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
    };
    secrets.push(options.secretAccessKey);
    if (options.sessionToken) secrets.push(options.sessionToken);
  } else if (options.profile) {
    // The SDK's default chain reads this profile of ~/.aws/credentials and ~/.aws/config.
    config.profile = options.profile;
  }
  // Credentials from the environment are secrets too, whether or not the chain picks them.
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    const value = process.env[name];
    if (value) secrets.push(value);
  }
  const client = new (sdk().S3Client)(config);
  return { client, region, connections, secrets, destroy: () => client.destroy() };
}
