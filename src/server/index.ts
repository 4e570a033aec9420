/** The headless server's public entry: start the HTTP face of an EngineHost. */
export {
  CONTENT_SECURITY_POLICY,
  MAX_BODY_BYTES,
  packageRoot,
  type RunningServer,
  type ServerOptions,
  startServer,
  statusFor,
} from './http-server.js';
