/** Process entry of the `cairn` CLI: runs `main` and exits with its code. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
