import { tmpdir } from 'node:os';
import path from 'node:path';

/** What the harness (in the test processes) hands the reporter (in the main process). */

export interface FuzzFigures {
  target: string;
  subject: string;
  cases: number;
  failedCases: number;
  distinct: number;
  seed: number;
  durationMs: number;
  medianCaseMs: number;
  maxCaseMs: number;
}

/** Where a test process killed by the watchdog leaves its figures (vitest.fuzz.config.ts sets a fresh one per run). */
export const STATE_DIR = process.env['FUZZ_STATE_DIR'] ?? path.join(tmpdir(), 'golive-fuzz-state');

/** A target's figures so far and the case it is running, kept on disk while it runs. */
export interface Progress {
  target: string;
  subject: string;
  /** Cases finished. */
  cases: number;
  failedCases: number;
  seed: number;
  failures: { signature: string; count: number; first: string }[];
  /** The case running now: the one that killed the process, if it died. */
  current: string;
}
