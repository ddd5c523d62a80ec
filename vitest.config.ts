import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bounds for a hang, not for speed: the suite must stay green on a loaded
    // 2-core machine, where CLI runs queue behind each other (test/support/cli.ts).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Test files in one worker share its loaded modules: each file used to
    // import golive, yargs, undici and the sandbox's server stack afresh
    // (about 50 s of CPU over the suite). Tests restore what they change
    // (timers, spies, cwd) and modules keep no state a test depends on.
    isolate: false,
    // Vitest's default is one worker per core less one: on this 2-core
    // machine a single worker, and the suite ran file after file. Much of
    // it waits on child processes and sockets, so two workers nearly halve it.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/global-fixtures.ts'],
  },
});
