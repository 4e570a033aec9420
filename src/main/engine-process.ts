/**
 * Entry of the engine's Electron utility process (built to out/main/engine-process.js and
 * started by EngineProcessClient): opens EngineHost on the data folder main names in argv and
 * serves it over `process.parentPort` (protocol: engine-protocol.ts). Files, keys and the catalog
 * live here, outside the main process and the window; the audit trail's key comes from main's
 * keychain (audit-keychain.ts) before the engine opens. An uncaught error is reported to main as
 * `fatal` and ends the process with code 1.
 */
import { EngineHost } from '../app/host/engine-host.js';
import { keepYoungGenerationSmall } from '../app/runtime.js';
import { type ParentPortLike, reportFatal, runEngineProcess } from './engine-protocol.js';

keepYoungGenerationSmall();

// Gives the `fatal` message a moment to reach main before the process goes away.
const FATAL_EXIT_DELAY_MS = 100;

const port: ParentPortLike = process.parentPort;
let exiting = false;

function exit(code: number): void {
  if (exiting) return;
  exiting = true;
  if (code === 0) process.exit(0);
  setTimeout(() => process.exit(code), FATAL_EXIT_DELAY_MS);
}

process.on('uncaughtException', (err) => reportFatal(port, err, exit));
process.on('unhandledRejection', (reason) => reportFatal(port, reason, exit));

runEngineProcess({
  port,
  argv: process.argv,
  openEngine: (dataDir, auditKey) => EngineHost.open({ dataDir, watch: true, auditKey }),
  exit,
});
