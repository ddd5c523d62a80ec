import { runChecksWithRedactor } from '../../api.js';
import { InputLedger } from '../../files/input.js';
import type { RunOptions } from '../../pipeline/context.js';
import type { Redactor } from '../../redact.js';
import { exitCodeFor } from '../../report/build.js';
import type { Report } from '../../report/types.js';
import { diffReports, formatChange } from '../../watch/changes.js';
import { clockTime, minimumInterval, parseInterval, parseUntil, realClock, type WatchClock } from '../../watch/schedule.js';
import { UsageError } from '../errors.js';
import { guardArtifacts, loadEnvFiles } from '../inputs.js';
import type { Io } from '../io.js';
import { writeArtifacts } from '../render.js';
import type { WatchArgs } from '../spec.js';

const DEFAULT_INTERVAL_MS = 60_000;

export interface WatchPlan {
  configs: readonly string[];
  options: RunOptions;
  env: Record<string, string | undefined>;
  secrets: readonly string[];
  intervalMs: number;
  /** Stop once this time is reached (between runs). */
  untilMs?: number;
  exitOnFail: boolean;
  json?: string;
  inputs: InputLedger;
}

/** What the watch saw, for its summary. */
interface Tally {
  runs: number;
  failures: number;
  firstFailure?: number;
  lastFailure?: number;
  last?: Report;
}

/**
 * Runs the checks until `stop` aborts, `untilMs` passes or (with
 * exitOnFail) a run fails; then prints the summary and returns the exit
 * code of the last finished run. Runs never overlap: the next starts an
 * interval after the previous one started, or at once when it took longer.
 */
export async function watchLoop(plan: WatchPlan, io: Io, stop: AbortSignal, clock: WatchClock = realClock): Promise<number> {
  const tally: Tally = { runs: 0, failures: 0 };
  const nameConfig = plan.configs.length > 1;
  let redactor: Redactor | undefined;
  const stopped = new Promise<undefined>((resolve) => {
    if (stop.aborted) resolve(undefined);
    else stop.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  // A closed stdout (`golive watch | head`) has no one left to tell: the watch ends.
  while (!stop.aborted && !(io.stdout as { destroyed?: boolean }).destroyed) {
    const startedAt = clock.now();
    // Ctrl-C during a run ends the watch at once; the run's report is not needed any more.
    const result = await Promise.race([
      plan.inputs.track(() =>
        runChecksWithRedactor(plan.configs, { ...plan.options, cwd: io.cwd, env: plan.env, secrets: plan.secrets, now: clock.now }),
      ),
      stopped,
    ]);
    if (!result) break;
    const { report } = result;
    redactor = result.redactor;
    const endedAt = clock.now();
    tally.runs += 1;
    if (report.status === 'fail') {
      tally.failures += 1;
      tally.firstFailure ??= startedAt;
      tally.lastFailure = startedAt;
    }
    io.stdout.write(redactor.text(runLines(report, tally.last, tally.runs, startedAt, endedAt - startedAt, nameConfig)));
    tally.last = report;
    try {
      if (plan.json) await writeArtifacts({ json: plan.json }, report, redactor, io, 'watch', plan.inputs);
    } catch (error) {
      throw redactor.scrub(error);
    }
    if (plan.exitOnFail && report.status === 'fail') break;
    const next = Math.max(startedAt + plan.intervalMs, clock.now());
    if (plan.untilMs !== undefined && next >= plan.untilMs) {
      await clock.sleep(Math.max(0, plan.untilMs - clock.now()), stop);
      break;
    }
    await clock.sleep(next - clock.now(), stop);
  }
  const ended = summary(tally);
  io.stdout.write(redactor ? redactor.text(ended) : ended);
  return tally.last ? exitCodeFor(tally.last) : 1;
}

function counts(report: Report): string {
  const { pass, warn, fail, skip } = report.summary;
  return `pass ${pass}, warn ${warn}, fail ${fail}, skip ${skip}`;
}

/** The run's line, then what changed since the previous run (on the first run: every warn and fail). */
function runLines(report: Report, previous: Report | undefined, run: number, startedAt: number, durationMs: number, nameConfig: boolean): string {
  const head = `${clockTime(startedAt)}  run ${run}  ${report.status.toUpperCase()}  ${counts(report)}  ${(durationMs / 1000).toFixed(1)} s`;
  if (!previous) {
    const findings = report.runs.flatMap((configRun) =>
      configRun.checks
        .filter((check) => check.status === 'warn' || check.status === 'fail')
        .map((check) => `  ${nameConfig ? `${configRun.config.path}: ` : ''}${check.id} ${check.status}${check.message ? `: ${check.message}` : ''}`),
    );
    return [`${head}  first run`, ...findings, ''].join('\n');
  }
  const changes = diffReports(previous, report);
  if (changes.length === 0) return `${head}  no change\n`;
  return [`${head}  ${changes.length} change${changes.length === 1 ? '' : 's'}:`, ...changes.map((change) => `  ${formatChange(change, nameConfig)}`), ''].join('\n');
}

function summary(tally: Tally): string {
  const failures =
    tally.failures === 0
      ? 'no failing run'
      : `${tally.failures} failing run${tally.failures === 1 ? '' : 's'}, first at ${clockTime(tally.firstFailure!)}, last at ${clockTime(tally.lastFailure!)}`;
  const last = tally.last ? `last run ${tally.last.status.toUpperCase()}` : 'no run finished';
  return `\nWatch ended: ${tally.runs} run${tally.runs === 1 ? '' : 's'}, ${failures}; ${last}.\n`;
}

export async function watchCommand(args: WatchArgs, io: Io, clock: WatchClock = realClock): Promise<number> {
  const intervalMs = args.interval === undefined ? DEFAULT_INTERVAL_MS : parseInterval(args.interval);
  if (intervalMs === undefined) throw new UsageError(`--interval takes 30s, 5m, 1h or a number of seconds; got ${args.interval}`, 'watch');
  const minimum = minimumInterval(io.env);
  if (intervalMs < minimum) throw new UsageError(`--interval must be at least ${minimum / 1000} s; got ${args.interval}`, 'watch');
  let untilMs: number | undefined;
  if (args.until !== undefined) {
    untilMs = parseUntil(args.until, clock.now());
    if (untilMs === undefined) throw new UsageError(`--until takes HH:MM (today, local time) or an ISO time such as 2026-12-01T18:00; got ${args.until}`, 'watch');
    if (untilMs <= clock.now()) throw new UsageError(`--until ${args.until} has already passed`, 'watch');
  }
  const options: RunOptions = {
    offline: false,
    timeoutMs: args.timeout,
    strict: args.strict ?? false,
    debug: args.debug ?? false,
    only: [],
    skip: [],
  };
  const envFiles = args['env-file'] ?? [];
  const inputs = new InputLedger();
  const { variables: fromFiles, secrets } = await inputs.track(() => loadEnvFiles(envFiles, io, 'watch'));
  const configs = args.configs;
  if (args.json) {
    await guardArtifacts(
      { json: args.json },
      [...configs.map((file) => ({ file, role: 'the config' })), ...envFiles.map((file) => ({ file, role: 'the --env-file' }))],
      io,
      'watch',
    );
  }
  const plan: WatchPlan = {
    configs,
    options,
    env: { ...io.env, ...fromFiles },
    secrets,
    intervalMs,
    untilMs,
    exitOnFail: args['exit-on-fail'] ?? false,
    json: args.json,
    inputs,
  };
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    return await watchLoop(plan, io, stop.signal, clock);
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}
