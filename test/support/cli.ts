import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// End-to-end tests spawn the real built binary (`npm run build` first) with a
// controlled environment: no TTY, no CI, NO_COLOR, HOME in the test folder.

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built package; GOLIVE_DIST names another build folder (parallel work trees of one checkout). */
export const DIST = path.resolve(ROOT, process.env.GOLIVE_DIST ?? 'dist');
export const CLI = path.join(DIST, 'cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The variables through which faketime (a CI step runs the suite with the
 * clock a year ahead) reaches a child: a child spawned with a clean
 * environment would otherwise run on the real clock, out of step with the
 * certificates the test made.
 */
export const CLOCK_ENV: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] => (entry[0] === 'LD_PRELOAD' || entry[0].startsWith('FAKETIME')) && entry[1] !== undefined),
);

export const BASE_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', TERM: 'dumb', ...CLOCK_ENV };

/**
 * CLI runs at once from one test file. Test files run in parallel workers and
 * `describe.concurrent` starts many tests at a time: unbounded, a 2-core
 * machine runs a dozen Node processes at once and every one of them crawls.
 */
const MAX_RUNNING = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  // A finishing run hands its slot straight to the next waiter.
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

/** Runs `golive ARGS` in `cwd`; `--` keeps Node from reading golive's --env-file (nodejs/node#54232). */
export function golive(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return slot(
    () =>
      new Promise((resolve, reject) => {
        execFile(
          process.execPath,
          ['--', CLI, ...args],
          // A bound that only a hang reaches, never a slow machine.
          { cwd, env: { ...BASE_ENV, HOME: cwd, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
          (error, stdout, stderr) => {
            if (error && typeof error.code !== 'number') reject(error);
            else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
          },
        );
      }),
  );
}
