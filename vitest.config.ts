import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bounds for a hang, not for speed: the suite must stay green on a loaded
    // 2-core machine, where CLI runs queue behind each other (test/support/cli.ts).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one worker per core less one: on this 2-core
    // machine a single worker, and the suite ran file after file. Much of
    // it waits on child processes and sockets, so two workers nearly halve it.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
