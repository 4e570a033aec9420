/**
 * The `fs.*` methods: the folders of this computer, for the folder fields of the browser mode
 * (the desktop app uses the system dialog instead). Needs no service.
 */
import { listLocalFolder } from '../local-folders.js';
import type { Handlers, Namespace } from './types.js';

export function fsHandlers(): Handlers<Namespace<'fs'>> {
  return {
    'fs.list': (p) => listLocalFolder(p.path, p.limit),
  };
}
