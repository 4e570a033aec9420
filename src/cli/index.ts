/** Process entry of the `cairn` CLI: runs `main` and exits with its code. */
import { keepYoungGenerationSmall } from '../app/runtime.js';
import { startUnlockingEarly } from './early-unlock.js';

keepYoungGenerationSmall();
const argv = process.argv.slice(2);
// Before the rest of the CLI loads: the key derivation runs meanwhile.
const prepared = startUnlockingEarly(argv);
const { main } = await import('./main.js');
process.exitCode = await main(argv, prepared);
