import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { it } from 'vitest';
import { STATE_DIR, type FuzzFigures, type Progress } from './state.js';

/**
 * The fuzz harness: each target is one vitest test that runs N fast-check
 * cases in "collect" mode (a failing case is recorded, the run goes on, so
 * one target reports every distinct failure rather than the first), then
 * replays the first case of each distinct failure by seed and path and lets
 * fast-check shrink it to a minimal counterexample.
 *
 * Every case is bounded: an async hang is cut at FUZZ_CASE_TIMEOUT_MS and is
 * a failure; a case that finishes but took longer than the target's slow
 * bound is a failure; a synchronous hang (which no timer can interrupt) is
 * caught by a watchdog thread that kills the process, and the reporter names
 * the case from the progress file the target keeps.
 *
 * Settings (environment):
 *   FUZZ_RUNS=N             cases per target (overrides the defaults)
 *   FUZZ_SCALE=x            multiplies the default case counts (e.g. 0.05 while developing)
 *   FUZZ_SEED=n             the fast-check seed (default: random, printed)
 *   FUZZ_TARGET=name FUZZ_PATH=p   replay one counterexample (seed and path as printed) with fc.assert
 *   FUZZ_CASE_TIMEOUT_MS    per-case bound (default 10000)
 *   FUZZ_SLOW_SCALE=x       multiplies every target's slow bound (a loaded machine)
 *   FUZZ_SHRINK_MS          time to shrink each distinct failure (default 10000)
 *   FUZZ_SHRINK_TOTAL_MS    time to shrink all of one target's failures (default 45000)
 *   FUZZ_WATCHDOG_MS        a case blocking the event loop this long kills its test process (default 60000);
 *                           the figures so far and the case stay in FUZZ_STATE_DIR for the reporter
 *   FUZZ_PROFILE=1          print each target's slowest cases
 */

export interface Problem {
  /** Short and stable: failures with the same signature are one distinct failure. */
  signature: string;
  detail?: string;
}

export interface CaseScope {
  /** Runs after the case, hung or not (e.g. unblocks FIFOs, removes the case's folder). */
  defer(cleanup: () => unknown): void;
  readonly timeoutMs: number;
}

export interface FuzzTarget<T> {
  /** The name in the figures line, e.g. "cli". */
  name: string;
  /** What it exercises, e.g. "main() in src/cli/main.ts". */
  subject: string;
  arbitrary: fc.Arbitrary<T>;
  /** Default number of cases (FUZZ_RUNS / FUZZ_SCALE change it). */
  runs: number;
  /** Returns the problems of one case; a throw is itself a problem (a crash). */
  run(input: T, scope: CaseScope): Problem[] | Promise<Problem[]>;
  /** A case that finishes later than this (ms) is a failure; a function of the input for inputs of any size. */
  slowMs: number | ((input: T) => number);
  /** Extra words for a hang's signature (e.g. the command), as a hang has no message of its own. */
  hangContext?(input: T): string;
  /** A short rendering of an input for the report (default: preview()). */
  show?(input: T): string;
}

declare module 'vitest' {
  interface TaskMeta {
    fuzz?: FuzzFigures;
  }
}

const env = process.env;
const number = (name: string): number | undefined => (env[name] !== undefined && env[name] !== '' ? Number(env[name]) : undefined);

export const SETTINGS = {
  runs: number('FUZZ_RUNS'),
  scale: number('FUZZ_SCALE') ?? 1,
  seed: number('FUZZ_SEED') ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0,
  target: env['FUZZ_TARGET'],
  path: env['FUZZ_PATH'],
  caseTimeoutMs: number('FUZZ_CASE_TIMEOUT_MS') ?? 10_000,
  slowScale: number('FUZZ_SLOW_SCALE') ?? 1,
  shrinkMs: number('FUZZ_SHRINK_MS') ?? 10_000,
  /** All the shrinking of one target: a buggy tree has many distinct failures. */
  shrinkTotalMs: number('FUZZ_SHRINK_TOTAL_MS') ?? 45_000,
  /** A hang is a hang after a few seconds: shrinking one need not wait the full bound per step. */
  shrinkCaseTimeoutMs: Math.min(number('FUZZ_CASE_TIMEOUT_MS') ?? 10_000, 3_000),
  watchdogMs: number('FUZZ_WATCHDOG_MS') ?? 60_000,
  /** Distinct failures shrunk per target (the rest are listed with their first case). */
  maxShrunk: 10,
};

export function runsFor(defaultRuns: number): number {
  return SETTINGS.runs ?? Math.max(1, Math.round(defaultRuns * SETTINGS.scale));
}

// ---------------------------------------------------------------- rendering

/** A value as short JSON: long strings shown as a repeated unit or a head and a length. */
export function preview(value: unknown, limit = 600): string {
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return `${item}n`;
    if (item instanceof Uint8Array) return `<${item.length} bytes: ${Buffer.from(item.subarray(0, 24)).toString('hex')}${item.length > 24 ? '…' : ''}>`;
    if (typeof item !== 'string' || item.length <= 120) return item;
    for (let unit = 1; unit <= 16; unit++) {
      const head: string = item.slice(0, unit);
      if (item.length % unit === 0 && head.repeat(item.length / unit) === item) return `<${JSON.stringify(head)} × ${item.length / unit}>`;
    }
    return `${item.slice(0, 80)}…<${item.length} chars>`;
  });
  if (text === undefined) return String(value);
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

/** The first frame of golive's own code in a stack: "src/redact.ts:116 (needlesOf)". */
export function sourceFrame(stack: string | undefined): string | undefined {
  for (const line of (stack ?? '').split('\n')) {
    const match = /at (?:async )?(?:(\S+) )?\(?(?:file:\/\/)?\/[^()]*?\/((?:src|checks)\/[^:()]+):(\d+):\d+\)?$/.exec(line.trim());
    if (match) return `${match[2]}:${match[3]}${match[1] ? ` (${match[1]})` : ''}`;
  }
  return undefined;
}

/** Words of a message that vary between cases (numbers, temporary paths, long quotes) made constant. */
export function normaliseMessage(message: string): string {
  return message
    .replace(/(Invalid regular expression: )\/.*\/([a-z]*): /s, '$1/…/$2: ')
    .split('\n')[0]!
    .replace(/\/tmp\/[^\s'",;)]*/g, '<tmp>')
    .replace(/(["'`])[^"'`]{24,}\1/g, '$1…$1')
    .replace(/\d+/g, 'N')
    .slice(0, 160);
}

export function errorSignature(error: unknown): string {
  if (!(error instanceof Error)) return `a non-Error (${typeof error}): ${normaliseMessage(String(error))}`;
  const code = (error as { code?: unknown }).code;
  const frame = sourceFrame(error.stack);
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${normaliseMessage(error.message)}${frame ? ` @ ${frame.replace(/:\d+/, '')}` : ''}`;
}

function errorDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).slice(0, 6).map((line) => line.trim());
  return [`${error.name}: ${error.message.slice(0, 300)}`, ...frames].join('\n      ');
}

// ---------------------------------------------------------------- watchdog and progress

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const started = new Float64Array(workerData.shared, 0, 1);
setInterval(() => {
  const at = started[0];
  if (at > 0 && Date.now() - at > workerData.limitMs) {
    try {
      fs.writeSync(2, '\\nfuzz watchdog: a case blocked the event loop for over ' + workerData.limitMs + ' ms (a synchronous hang); killing the test process (its figures so far: see the fuzz figures).\\n');
      fs.writeFileSync(path.join(workerData.stateDir, 'watchdog-' + process.pid), String(workerData.limitMs));
    } catch {}
    process.kill(process.pid, 'SIGKILL');
  }
}, 500);
`;

/**
 * A thread that kills the test process when a case blocks the event loop
 * for longer than the limit: no timer can end synchronous work, and a stuck
 * run reports nothing. It only reads the case's start time from shared memory.
 */
class Watchdog {
  readonly #started = new Float64Array(new SharedArrayBuffer(8));

  constructor(limitMs: number) {
    new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { shared: this.#started.buffer, limitMs, stateDir: STATE_DIR } }).unref();
  }

  enter(): void {
    this.#started[0] = Date.now();
  }

  leave(): void {
    this.#started[0] = 0;
  }
}

let watchdog: Watchdog | undefined;

/**
 * The running target's figures and current case, on disk before every case:
 * when the process dies in a case (killed by the watchdog, out of memory, a
 * native crash), the reporter still has what it found, and which case it was.
 */
function recordProgress(progress: Progress | undefined): void {
  const file = path.join(STATE_DIR, `progress-${process.pid}.json`);
  try {
    if (progress) writeFileSync(file, JSON.stringify(progress));
    else rmSync(file, { force: true });
  } catch {
    // The figures of a process that dies are a convenience; the run goes on without them.
  }
}

// ---------------------------------------------------------------- one case

/** Problems raised outside the case's own promise (unhandled rejections, uncaught exceptions) land here. */
let activeCase: { problems: Problem[] } | undefined;
const orphans: Problem[] = [];

function onStray(kind: string) {
  return (error: unknown) => {
    const problem = { signature: `${kind}: ${errorSignature(error)}`, detail: errorDetail(error) };
    (activeCase?.problems ?? orphans).push(problem);
  };
}

/** While a target runs, stray rejections and exceptions are failures of the case, not of the test process. */
async function withStrayCapture<R>(work: () => Promise<R>): Promise<R> {
  const saved = { rejection: process.listeners('unhandledRejection'), exception: process.listeners('uncaughtException') };
  process.removeAllListeners('unhandledRejection');
  process.removeAllListeners('uncaughtException');
  const rejection = onStray('unhandled rejection');
  const exception = onStray('uncaught exception');
  process.on('unhandledRejection', rejection);
  process.on('uncaughtException', exception);
  try {
    return await work();
  } finally {
    // Let late rejections of the last case surface while the capture is on.
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.removeListener('unhandledRejection', rejection);
    process.removeListener('uncaughtException', exception);
    for (const listener of saved.rejection) process.on('unhandledRejection', listener as NodeJS.UnhandledRejectionListener);
    for (const listener of saved.exception) process.on('uncaughtException', listener as NodeJS.UncaughtExceptionListener);
  }
}

type Outcome = { kind: 'done'; problems: Problem[] } | { kind: 'threw'; error: unknown } | { kind: 'hang' };

/**
 * A slow bound that grows with the input: `base` ms plus `perKilobyte` ms per
 * kilobyte of it. Linear work on a megabyte stays inside; quadratic work
 * on tens of kilobytes does not.
 */
export function sizeBound<T>(base: number, perKilobyte: number, size: (input: T) => number): (input: T) => number {
  return (input) => base + (perKilobyte * size(input)) / 1024;
}

/** The length of every string in a value (keys included), for size bounds. */
export function textSize(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + textSize(item), 0);
  if (value !== null && typeof value === 'object') return Object.entries(value).reduce((sum, [key, item]) => sum + key.length + textSize(item), 0);
  return 0;
}

/** Durations of the cases of the running target (ms), for the figures and FUZZ_PROFILE. */
const durations: { ms: number; what: () => string }[] = [];

export async function runCase<T>(target: FuzzTarget<T>, input: T, timeoutMs: number): Promise<Problem[]> {
  watchdog ??= new Watchdog(SETTINGS.watchdogMs);
  const cleanups: (() => unknown)[] = [];
  const scope: CaseScope = { defer: (cleanup) => cleanups.push(cleanup), timeoutMs };
  const active = { problems: [] as Problem[] };
  activeCase = active;
  const show = target.show ?? ((value: T) => preview(value));
  watchdog.enter();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race<Outcome>([
    (async () => target.run(input, scope))().then(
      (problems) => ({ kind: 'done', problems }),
      (error: unknown) => ({ kind: 'threw', error }),
    ),
    new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'hang' }), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  const elapsed = performance.now() - started;
  durations.push({ ms: elapsed, what: () => show(input) });
  watchdog.leave();
  // A rejection nobody handled is reported once the microtasks have drained.
  await new Promise((resolve) => setImmediate(resolve));
  activeCase = undefined;
  const problems = [...active.problems];
  if (outcome.kind === 'done') problems.push(...outcome.problems);
  else if (outcome.kind === 'threw') problems.push({ signature: `threw ${errorSignature(outcome.error)}`, detail: errorDetail(outcome.error) });
  else problems.push({ signature: `hang: no result within the case bound${target.hangContext ? ` [${target.hangContext(input)}]` : ''}`, detail: `${timeoutMs} ms` });
  const slowMs = (typeof target.slowMs === 'number' ? target.slowMs : target.slowMs(input)) * SETTINGS.slowScale;
  if (outcome.kind === 'done' && elapsed > slowMs) {
    const bound = typeof target.slowMs === 'number' ? `${Math.round(slowMs)} ms` : 'its size bound';
    problems.push({ signature: `slow: over ${bound}${target.hangContext ? ` [${target.hangContext(input)}]` : ''}`, detail: `${Math.round(elapsed)} ms, bound ${Math.round(slowMs)} ms` });
  }
  for (const cleanup of cleanups.reverse()) {
    try {
      await Promise.race([cleanup(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    } catch (error) {
      problems.push({ signature: `harness: cleanup failed: ${errorSignature(error)}` });
    }
  }
  const seen = new Set<string>();
  return problems.filter((problem) => !seen.has(problem.signature) && seen.add(problem.signature));
}

// ---------------------------------------------------------------- a target

interface Distinct {
  signature: string;
  count: number;
  firstIndex: number;
  firstInput: unknown;
  firstShown: string;
  detail?: string;
  minimal?: { input: unknown; path: string; detail?: string; shrinks: number; interrupted: boolean };
}

function describeFailures<T>(target: FuzzTarget<T>, figures: FuzzFigures, failures: Distinct[]): string {
  const show = (value: unknown) => (target.show ? target.show(value as T) : preview(value));
  const lines = [`${target.name} (${target.subject}): ${figures.failedCases} of ${figures.cases} cases failed, ${failures.length} distinct failure${failures.length === 1 ? '' : 's'} (seed ${figures.seed})`];
  for (const failure of failures) {
    lines.push('', `  ✗ ${failure.signature}  — ${failure.count} case${failure.count === 1 ? '' : 's'}`);
    if (failure.minimal) {
      lines.push(`    minimal: ${show(failure.minimal.input)}`);
      if (failure.minimal.detail) lines.push(`    detail:  ${failure.minimal.detail}`);
      lines.push(
        `    replay:  FUZZ_TARGET=${target.name} FUZZ_SEED=${figures.seed} FUZZ_PATH=${failure.minimal.path} npm run fuzz` +
          `  (${failure.minimal.shrinks} shrinks${failure.minimal.interrupted ? ', shrinking cut by FUZZ_SHRINK_MS' : ''})`,
      );
    } else {
      lines.push(`    first:   ${show(failure.firstInput)}`);
      if (failure.detail) lines.push(`    detail:  ${failure.detail}`);
      lines.push(`    replay:  FUZZ_TARGET=${target.name} FUZZ_SEED=${figures.seed} FUZZ_PATH=${failure.firstIndex} npm run fuzz`);
    }
  }
  return lines.join('\n');
}

/** Registers one target as a vitest test. */
export function fuzzTarget<T>(target: FuzzTarget<T>): void {
  const selected = SETTINGS.target === undefined || SETTINGS.target === target.name;
  (selected ? it : it.skip)(`fuzz ${target.name}: ${target.subject}`, async ({ task }) => {
    const seed = SETTINGS.seed;
    if (SETTINGS.path !== undefined) {
      // Replay: fast-check runs the case at the path (and shrinks further), and throws with its own report.
      await withStrayCapture(() =>
        fc.assert(
          fc.asyncProperty(target.arbitrary, async (input) => {
            const problems = await runCase(target, input, SETTINGS.caseTimeoutMs);
            if (problems.length > 0) throw new Error(problems.map((problem) => `${problem.signature}${problem.detail ? `\n  ${problem.detail}` : ''}`).join('\n'));
          }),
          { seed, path: SETTINGS.path, numRuns: 1, includeErrorInReport: true },
        ),
      );
      return;
    }

    const runs = runsFor(target.runs);
    const started = performance.now();
    durations.length = 0;
    const distinct = new Map<string, Distinct>();
    let index = -1;
    let failedCases = 0;
    let timing = { medianMs: 0, maxMs: 0 };
    const details = await withStrayCapture(async () => {
      const result = await fc.check(
        fc.asyncProperty(target.arbitrary, async (input) => {
          index++;
          recordProgress({
            target: target.name,
            subject: target.subject,
            cases: index,
            failedCases,
            seed,
            failures: [...distinct.values()].map((failure) => ({ signature: failure.signature, count: failure.count, first: failure.firstShown })),
            current: `${(target.show ?? preview)(input).slice(0, 600)} (FUZZ_PATH=${index})`,
          });
          const problems = await runCase(target, input, SETTINGS.caseTimeoutMs);
          problems.push(...orphans.splice(0));
          if (problems.length > 0) failedCases++;
          for (const problem of problems) {
            const known = distinct.get(problem.signature);
            if (known) known.count++;
            else {
              const shown = `${(target.show ?? preview)(input).slice(0, 300)} (FUZZ_PATH=${index})`;
              distinct.set(problem.signature, { signature: problem.signature, count: 1, firstIndex: index, firstInput: input, firstShown: shown, detail: problem.detail });
            }
          }
          return true;
        }),
        { seed, numRuns: runs },
      );

      recordProgress(undefined);
      if (env['FUZZ_PROFILE']) {
        const slowest = [...durations].sort((a, b) => b.ms - a.ms).slice(0, 8);
        console.log(`slowest ${target.name} cases:\n${slowest.map((entry) => `  ${Math.round(entry.ms)} ms  ${entry.what().slice(0, 300)}`).join('\n')}`);
      }
      const sorted = durations.map((entry) => entry.ms).sort((a, b) => a - b);
      timing = { medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0, maxMs: sorted[sorted.length - 1] ?? 0 };

      // Shrink the first case of each distinct failure, replayed by seed and path.
      const shrinkUntil = performance.now() + SETTINGS.shrinkTotalMs;
      for (const failure of [...distinct.values()].slice(0, SETTINGS.maxShrunk)) {
        const budget = Math.min(SETTINGS.shrinkMs, shrinkUntil - performance.now());
        if (budget <= 0) break;
        const timeout = failure.signature.startsWith('hang') ? SETTINGS.shrinkCaseTimeoutMs : SETTINGS.caseTimeoutMs;
        let lastDetail: string | undefined;
        const shrunk = await fc.check<[T]>(
          fc.asyncProperty(target.arbitrary, async (input) => {
            const problems = await runCase(target, input, timeout);
            orphans.splice(0);
            const match = problems.find((problem) => problem.signature === failure.signature);
            if (match) lastDetail = match.detail;
            return match === undefined;
          }),
          { seed, path: String(failure.firstIndex), plugins: [fc.interruptAfterTimeLimit(budget)] },
        );
        if (shrunk.failed && shrunk.counterexample) {
          failure.minimal = {
            input: shrunk.counterexample[0],
            path: shrunk.counterexamplePath ?? String(failure.firstIndex),
            detail: lastDetail,
            shrinks: shrunk.numShrinks,
            interrupted: shrunk.interrupted,
          };
        }
      }
      return result;
    });

    const figures: FuzzFigures = {
      target: target.name,
      subject: target.subject,
      cases: details.numRuns,
      failedCases,
      distinct: distinct.size,
      seed,
      durationMs: Math.round(performance.now() - started),
      medianCaseMs: Math.round(timing.medianMs),
      maxCaseMs: Math.round(timing.maxMs),
    };
    task.meta.fuzz = figures;
    const line = `fuzz ${figures.target}: ${figures.cases} cases, ${figures.failedCases} failures (${figures.distinct} distinct), seed ${seed}, ${(figures.durationMs / 1000).toFixed(1)} s (case median ${figures.medianCaseMs} ms, max ${figures.maxCaseMs} ms)`;
    console.log(line);
    if (details.failed) {
      // The predicate never fails: this is the harness's own error, or an interrupted run.
      throw new Error(`${line}\nfast-check ended early: ${fc.defaultReportMessage(details)}`);
    }
    if (distinct.size > 0) {
      const report = describeFailures(target, figures, [...distinct.values()]);
      throw new Error(report);
    }
  }, 60 * 60 * 1000);
}
