/**
 * The types every handler module shares: a contract method's handler, and a namespace's map of
 * handlers (a method of the namespace left out is a compile error).
 */
import type { MethodName, ParsedParams, Result } from '../../../contract/methods.js';

export type Handler<M extends MethodName> = (params: ParsedParams<M>) => Promise<Result<M>>;

/** The handlers of methods `M`, one per method. */
export type Handlers<M extends MethodName> = { [K in M]: Handler<K> };

/** The contract methods of namespace `N` (`'keys'` → `'keys.list' | 'keys.add' | …`). */
export type Namespace<N extends string> = Extract<MethodName, `${N}.${string}`>;
