/**
 * A typed client over any transport (Electron IPC through the preload, HTTP to `cairn serve`,
 * or a direct call in tests): `client.call('app.status', {})`.
 */
import type { MethodName, Params, Result } from './methods.js';

export type Transport = (method: MethodName, params: unknown) => Promise<unknown>;

export interface ContractClient {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
}

export function createClient(transport: Transport): ContractClient {
  return {
    call: (method, params) => transport(method, params) as Promise<never>,
  };
}
