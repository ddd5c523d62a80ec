import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { MIN_INTERVAL_ENV } from '../../src/watch/schedule.js';
import { BASE_ENV, CLI, golive } from '../support/cli.js';

// `golive watch` as a user runs it, against the real sandbox, with a fault
// switched on and off while it watches. Waits are for output lines, never
// fixed sleeps: a loaded machine only makes them slower.

let sandbox: Sandbox;
let secret: string;
let cwd: string;
const JWT = 'private_key_jwt-tls.yaml';
const SECRET_CLIENT = 'client_secret_post-tls.yaml';
/** Far beyond a run on a loaded machine; only a hang reaches it. */
const LINE_WAIT_MS = 20_000;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
  cwd = path.dirname(sandbox.envFile);
  secret = (await readFile(sandbox.envFile, 'utf8')).match(/^THREDD_CLIENT_SECRET=(.+)$/m)![1]!;
}, 60_000);
afterAll(() => sandbox?.close());
afterEach(() => sandbox.setFaults([]));

interface Watch {
  child: ChildProcess;
  output: () => string;
  stderr: () => string;
  /** Resolves with the stdout so far once `pattern` matches it (from `from` on). */
  waitFor: (pattern: RegExp, from?: number) => Promise<string>;
  exit: Promise<number | null>;
}

function watch(args: string[]): Watch {
  const child = spawn(process.execPath, ['--', CLI, 'watch', '--env-file', 'sandbox.env', ...args], {
    cwd,
    env: { ...BASE_ENV, HOME: cwd, [MIN_INTERVAL_ENV]: '100' },
  });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, from = 0) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${stdout}\nstderr:\n${stderr}`)), LINE_WAIT_MS);
      const check = () => {
        if (pattern.test(stdout.slice(from))) {
          clearTimeout(timer);
          resolve(stdout);
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`exited ${child.exitCode} before ${pattern}:\n${stdout}\nstderr:\n${stderr}`));
        } else waiters.push(check);
      };
      check();
    });
  return { child, output: () => stdout, stderr: () => stderr, waitFor, exit };
}

const RUN_LINE = /^\d\d:\d\d:\d\d {2}run (\d+) {2}(PASS|FAIL) {2}pass \d+, warn \d+, fail \d+, skip \d+ {2}\d+\.\d s {2}/m;
const SUMMARY = /Watch ended: (\d+) runs?, (\d+) failing runs?, first at (\d\d:\d\d:\d\d), last at (\d\d:\d\d:\d\d); last run (PASS|FAIL)\./;

function expectNoSecret(run: Watch) {
  expect(run.output()).not.toContain(secret);
  expect(run.stderr()).not.toContain(secret);
}

describe('golive watch', () => {
  it('prints a line per unchanged run, the changes when a fault comes and goes, and a summary on Ctrl-C', async () => {
    const run = watch([JWT, SECRET_CLIENT, '--interval', '1s', '--json', 'watch-last.json']);
    await run.waitFor(/run 2 .* no change$/m);
    expect(run.output()).toMatch(/run 1 {2}PASS .* first run$/m);

    // setFaults rewrites the sandbox's certificate files: switch right after a run line, while the
    // watch sleeps, so that no run reads a file half written (a run takes well under the interval).
    sandbox.setFaults(['key-not-in-jwks']);
    const failed = await run.waitFor(/^ {2}private_key_jwt-tls\.yaml: jwks\.signing-key pass → fail: .*not registered in the JWKS/m);
    expect(failed).toMatch(/^ {2}private_key_jwt-tls\.yaml: JWKS kids: added .*; removed /m);
    // The secret client does not sign: the fault changes nothing of its own checks.
    expect(failed).not.toMatch(/client_secret_post-tls\.yaml: (?!JWKS kids)/);
    await run.waitFor(/FAIL .* no change$/m, failed.length);

    sandbox.setFaults([]);
    const recovered = await run.waitFor(/^ {2}private_key_jwt-tls\.yaml: jwks\.signing-key fail → pass: /m, failed.length);
    await run.waitFor(/PASS .* no change$/m, recovered.length);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);

    const stdout = run.output();
    const runs = [...stdout.matchAll(new RegExp(RUN_LINE, 'gm'))];
    expect(runs.map((line) => Number(line[1]))).toEqual(runs.map((_, index) => index + 1));
    const failing = runs.filter((line) => line[2] === 'FAIL');
    const summary = SUMMARY.exec(stdout);
    expect(summary, stdout).not.toBeNull();
    expect(Number(summary![1])).toBe(runs.length);
    expect(Number(summary![2])).toBe(failing.length);
    expect(summary![3]).toBe(failing[0]![0].slice(0, 8));
    expect(summary![4]).toBe(failing.at(-1)![0].slice(0, 8));
    expect(summary![5]).toBe('PASS');
    expectNoSecret(run);
    const kept = JSON.parse(await readFile(path.join(cwd, 'watch-last.json'), 'utf8'));
    expect(kept).toMatchObject({ command: 'check', status: 'pass' });
    expect(kept.runs.map((config: { config: { path: string } }) => config.config.path)).toEqual([JWT, SECRET_CLIENT]);
  }, 40_000);

  it('ends at --until with the summary and the status of the last run', async () => {
    sandbox.setFaults(['key-not-in-jwks']);
    const until = new Date(Date.now() + 4_000).toISOString();
    const run = watch([JWT, '--interval', '1s', '--until', until]);
    expect(await run.exit).toBe(1);
    expect(run.output()).toMatch(SUMMARY);
    expect(run.output()).toMatch(/last run FAIL\.\n$/);
    expectNoSecret(run);
  }, 30_000);

  it('--exit-on-fail stops at the first failing run with exit 1', async () => {
    const run = watch([JWT, '--interval', '1s', '--exit-on-fail']);
    await run.waitFor(/run 2 .* no change$/m);
    sandbox.setFaults(['key-not-in-jwks']);
    expect(await run.exit).toBe(1);
    const stdout = run.output();
    const runs = [...stdout.matchAll(new RegExp(RUN_LINE, 'gm'))];
    expect(runs.at(-1)![2]).toBe('FAIL');
    expect(runs.filter((line) => line[2] === 'FAIL')).toHaveLength(1);
    expect(stdout).toMatch(/Watch ended: \d+ runs, 1 failing run, first at .*; last run FAIL\./);
  }, 30_000);

  it('refuses an interval under 5 s (without the test-only variable), an --until that has passed, and --json over a config', async () => {
    const short = await golive(['watch', 'x.yaml', '--interval', '2s'], cwd);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('--interval must be at least 5 s; got 2s');
    const past = await golive(['watch', 'x.yaml', '--until', '2020-01-01T00:00:00Z'], cwd);
    expect(past.code).toBe(2);
    expect(past.stderr).toContain('--until 2020-01-01T00:00:00Z has already passed');
    const over = await golive(['watch', JWT, '--json', JWT], cwd);
    expect(over.code).toBe(2);
    expect(over.stderr).toContain(`--json ${JWT} would overwrite the config ${JWT}`);
  }, 20_000);
});
