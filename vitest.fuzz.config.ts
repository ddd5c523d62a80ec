import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Inherited by the forked test processes: a FIFO read or written without a
// peer holds a libuv pool thread (the targets unblock theirs after each case),
// and a test process killed by the fuzz watchdog (a synchronous hang) leaves
// its figures in FUZZ_STATE_DIR for the reporter.
process.env.UV_THREADPOOL_SIZE ??= '16';
process.env.FUZZ_STATE_DIR ??= mkdtempSync(path.join(tmpdir(), 'golive-fuzz-state-'));

// `npm run fuzz`: the fuzz targets only (never part of `npm test`, whose
// include is test/**/*.test.ts). Each target bounds its own cases; the test
// timeout is a last resort. test/fuzz/support/harness.ts lists the settings.
export default defineConfig({
  test: {
    include: ['test/fuzz/**/*.fuzz.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60 * 60 * 1000,
    hookTimeout: 300_000,
    reporters: ['default', './test/fuzz/support/fuzz-reporter.ts'],
  },
});
