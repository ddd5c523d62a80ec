import { fuzzCli } from './support/cli-case.js';

// The CLI in-process with one argument of 100 kB or 1 MB (as a command, a flag,
// a flag's value, a file name) and configs up to 900 kB: did-you-mean, echoing
// and parsing must stay linear. A test process of its own, so that a
// synchronous hang here (the watchdog kills the process) costs `cli` nothing.
fuzzCli({ name: 'cli-huge', runs: 150, sizes: 'huge' });
