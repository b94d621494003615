export { CliError } from './cli-error.js';
export { readKeyFile, generateKeyFile, type KeyFile } from './key-files.js';
