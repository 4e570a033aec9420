/**
 * The errors the layers above src/app (the CLI, the server, the desktop) handle: the storage
 * core's, passed through so that those layers need not import the core itself.
 */
export { BackendError, type BackendErrorCode } from '../engine/backend/types.js';
export {
  CairnError,
  type CairnErrorCode,
  describeError,
  IntegrityError,
  WrongPasswordError,
} from '../engine/errors.js';
