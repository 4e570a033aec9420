/** The program name and version Cairn writes into recovery points and prints for `--version`. */
export const PROGRAM = 'cairn 0.1.0';
