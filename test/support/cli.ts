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

export const BASE_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', TERM: 'dumb' };

/** Runs `golive ARGS` in `cwd`; `--` keeps Node from reading golive's --env-file (nodejs/node#54232). */
export function golive(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--', CLI, ...args],
      { cwd, env: { ...BASE_ENV, HOME: cwd, ...env }, timeout: 15_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}
