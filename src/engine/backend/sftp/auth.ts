/**
 * How Cairn logs in to an SSH server: the methods to try, in order, handed to ssh2 as an
 * `authHandler` so that one refused method moves on to the next. With an `identityFile`: that
 * key, then the SSH agent, then the password. Without: the agent, then ~/.ssh/id_ed25519,
 * id_ecdsa and id_rsa (those that exist and open without a passphrase, or with the one given),
 * then the password. A password is offered as `password` and as `keyboard-interactive` (what
 * many servers with PAM ask for). Methods the server does not list are skipped. The record of
 * what was tried names methods and key files only, never a secret.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AnyAuthMethod, AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import type { SftpOptions } from '../options.js';
import { BackendError } from '../types.js';
import { ssh2 } from './ssh2-module.js';

type ServerMethod = 'publickey' | 'password' | 'keyboard-interactive';

interface LoginMethod {
  /** Shown in "tried …" when the server refuses every method (never a secret). */
  label: string;
  /** The method name the server lists it under. */
  serverMethod: ServerMethod;
  attempt: (username: string) => AnyAuthMethod;
}

export interface LoginPlan {
  /** For ssh2's `authHandler`: hands out the next method the server allows, then `false`. */
  handler: AuthHandlerMiddleware;
  /** The methods tried so far, by label. */
  readonly tried: string[];
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** `~/x` as the home folder's `x`: key and known-hosts paths are often given that way. */
export function expandHome(file: string, home = os.homedir()): string {
  return file === '~' ? home : file.startsWith('~/') ? path.join(home, file.slice(2)) : file;
}

/** The agent to ask: SSH_AUTH_SOCK, or on Windows the OpenSSH agent's pipe. */
function agentSocket(env: NodeJS.ProcessEnv): string | undefined {
  if (env.SSH_AUTH_SOCK) return env.SSH_AUTH_SOCK;
  return process.platform === 'win32' ? '\\\\.\\pipe\\openssh-ssh-agent' : undefined;
}

/** A private key parsed (and decrypted), or the reason it could not be. */
function parsePrivateKey(data: Buffer, passphrase: string | undefined): ParsedKey | Error {
  const parsed = ssh2().utils.parseKey(data, passphrase) as ParsedKey | ParsedKey[] | Error;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined) return new Error('no key in the file');
  if (key instanceof Error) return key;
  return key.isPrivateKey() ? key : new Error('it holds a public key, not a private key');
}

function keyMethod(file: string, key: ParsedKey): LoginMethod {
  return {
    label: `key file ${file}`,
    serverMethod: 'publickey',
    attempt: (username) => ({ type: 'publickey', username, key }),
  };
}

/** The explicitly chosen key: any problem reading it is an 'auth' failure with a clear reason. */
async function explicitKey(file: string, passphrase: string | undefined): Promise<LoginMethod> {
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'no permission' : String(code);
    throw new BackendError('auth', `could not read the SSH key file ${file}: ${reason}`, { cause: err });
  }
  const key = parsePrivateKey(data, passphrase);
  if (key instanceof Error) {
    // ssh2's reasons name the problem ("Encrypted private OpenSSH key detected, but no passphrase
    // given", "bad decrypt"), never the passphrase itself.
    const hint =
      passphrase === undefined
        ? 'if it is protected by a passphrase, give the passphrase'
        : 'check the passphrase (it may be wrong) and that this is a private key';
    throw new BackendError('auth', `could not use the SSH key file ${file}: ${key.message}; ${hint}`);
  }
  return keyMethod(file, key);
}

/** A default key, if it exists and opens; otherwise it is quietly left out, as ssh does. */
async function defaultKey(file: string, passphrase: string | undefined): Promise<LoginMethod | undefined> {
  const data = await fs.readFile(file).catch(() => undefined);
  if (data === undefined) return undefined;
  const key = parsePrivateKey(data, passphrase);
  return key instanceof Error ? undefined : keyMethod(file, key);
}

function passwordMethods(password: string): LoginMethod[] {
  return [
    {
      label: 'password',
      serverMethod: 'password',
      attempt: (username) => ({ type: 'password', username, password }),
    },
    {
      label: 'password (keyboard-interactive)',
      serverMethod: 'keyboard-interactive',
      attempt: (username) => ({
        type: 'keyboard-interactive',
        username,
        // Hidden prompts ask for the password; a visible one (a user name, a menu) gets no answer.
        prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map((p) => (p.echo ? '' : password))),
      }),
    },
  ];
}

/** Builds the login plan of `user` with `options`; reads the key files (an explicit one must be usable). */
export async function prepareLogin(
  user: string,
  options: SftpOptions,
  env: NodeJS.ProcessEnv = process.env,
  home = os.homedir(),
): Promise<LoginPlan> {
  const methods: LoginMethod[] = [];
  const agent = agentSocket(env);
  const agentMethod: LoginMethod | undefined = agent
    ? { label: 'the SSH agent', serverMethod: 'publickey', attempt: (username) => ({ type: 'agent', username, agent }) }
    : undefined;
  if (options.identityFile) {
    methods.push(await explicitKey(expandHome(options.identityFile, home), options.passphrase));
    if (agentMethod) methods.push(agentMethod);
  } else {
    if (agentMethod) methods.push(agentMethod);
    for (const name of DEFAULT_KEYS) {
      const method = await defaultKey(path.join(home, '.ssh', name), options.passphrase);
      if (method) methods.push(method);
    }
  }
  if (options.password !== undefined) methods.push(...passwordMethods(options.password));

  const tried: string[] = [];
  let next = 0;
  const handler: AuthHandlerMiddleware = (methodsLeft, _partialSuccess, callback) => {
    // methodsLeft is null before the first attempt: the server has not said what it allows yet.
    const allowed = methodsLeft as readonly string[] | null;
    while (next < methods.length) {
      const method = methods[next++] as LoginMethod;
      if (allowed && !allowed.includes(method.serverMethod)) continue;
      tried.push(method.label);
      callback(method.attempt(user));
      return;
    }
    // `false` ends the login (ssh2 then reports that every method failed); its typings omit it.
    (callback as unknown as (method: false) => void)(false);
  };
  return { tried, handler };
}
