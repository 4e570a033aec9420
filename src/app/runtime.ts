/**
 * What a process that runs Cairn sets up before anything else (the CLI, `cairn serve`, the
 * desktop's engine process), and the program's name and version: from the storage core, passed
 * through so that those entry points need not import the core itself.
 */
export { keepYoungGenerationSmall } from '../engine/util/young-generation.js';
export { PROGRAM } from '../engine/version.js';
