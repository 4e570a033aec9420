// Development bootstrap for the engine's workers when Cairn runs from TypeScript sources (tests, tsx):
// registers tsx's loader inside the worker thread, then loads the worker body.

import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(pathToFileURL(workerData.script).href);
