/** Process entry of the `cairn` CLI: runs `main` and exits with its code. */
import { keepYoungGenerationSmall } from '../engine/util/young-generation.js';
import { main } from './main.js';

keepYoungGenerationSmall();

process.exitCode = await main(process.argv.slice(2));
