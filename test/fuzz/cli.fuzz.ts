import { fuzzCli } from './support/cli-case.js';

// The CLI in-process on everyday arguments (see support/cli-case.ts for the properties).
fuzzCli({ name: 'cli', runs: 2000, sizes: 'everyday' });
