import path from 'node:path';
import { CHECKS } from '../checks/index.js';
import clockSkew from '../checks/clock.skew.js';
import configParse from '../checks/config.parse.js';
import configReferences from '../checks/config.references.js';
import type { ResolvedConfig } from './config/types.js';
import type { RunContext, RunOptions } from './pipeline/context.js';
import { CredentialMemo } from './credentials/memo.js';
import { runCheckGraph, type RunnerEvent } from './pipeline/runner.js';
import { createHttpSession } from './net/http.js';
import { rootStoreWarmup } from './net/root-store.js';
import type { DnsLookup } from './net/probe.js';
import { Redactor } from './redact.js';
import { buildReport, buildRun, configSummary } from './report/build.js';
import type { Report } from './report/types.js';
import { VERSION } from './version.js';

export interface CheckRunInput {
  configs: readonly string[];
  options: RunOptions;
  /** Variables for interpolation: the environment overlaid with --env-file. */
  env: Readonly<Record<string, string | undefined>>;
  /** Secrets known before the run (values of sensitive --env-file variables). */
  secrets?: readonly string[];
  now?: () => number;
  /** Host name resolution for the network checks (tests inject one; default: the system resolver). */
  lookup?: DnsLookup;
  onEvent?: (configIndex: number, event: RunnerEvent) => void;
}

export interface CheckRunResult {
  report: Report;
  /** The redactor that knows every secret the run met: use it for anything else printed. */
  redactor: Redactor;
  /**
   * Each run's config as config.references resolved it (undefined where it
   * did not load), in the order of the report's runs. It holds the secrets
   * interpolated from variables: never print it.
   */
  resolved: ReadonlyArray<ResolvedConfig | undefined>;
}

/** Runs every check on each config and builds one report. */
export async function checkConfigs(input: CheckRunInput): Promise<CheckRunResult> {
  const now = input.now ?? Date.now;
  const startedAt = now();
  // The origin of the network timelines (src/net/timeline.ts): the run's start, on the monotonic clock.
  const runStartedAt = performance.now();
  const redactor = new Redactor(input.secrets);
  const knownBefore = redactor.known;
  // One HTTP session for every config: their checks run concurrently, and
  // the per-host connection cap holds across them, not per config.
  const http = createHttpSession(input.env, runStartedAt);
  if (!input.options.offline) void rootStoreWarmup.start();
  const credentials = new CredentialMemo();
  const runConfig = async (configPath: string, index: number) => {
    const context: RunContext = Object.freeze({
      configPath: path.resolve(configPath),
      env: input.env,
      options: Object.freeze({ ...input.options }),
      now,
      http,
      lookup: input.lookup,
      credentials,
    });
    const { results, output } = await runCheckGraph({
      checks: CHECKS,
      context,
      redactor,
      onEvent: input.onEvent && ((event) => input.onEvent!(index, event)),
    });
    const summary = configSummary(configPath, output(configParse), output(configReferences));
    const skew = output(clockSkew);
    return { run: buildRun(redactor.deep(summary), results, input.options.strict), skewMs: skew?.skewMs, resolved: output(configReferences) };
  };
  // Online, a config waits on the network far longer than it works, and its requests share
  // connections with the other configs': they all start at once. Offline, configs go one after
  // another: a config's own checks already overlap their file reads (two configs at a time were
  // no faster, measured), and the run holds one config's documents and pending checks, not hundreds.
  const running = input.options.offline ? inSequence(input.configs, runConfig) : Promise.all(input.configs.map(runConfig));
  const settled = await running.finally(() => http.close());
  const report = buildReport({
    command: 'check',
    version: VERSION,
    startedAt,
    finishedAt: now(),
    strict: input.options.strict,
    runs: settled.map(({ run }) => run),
    clockSkewMs: settled.find(({ skewMs }) => skewMs !== undefined)?.skewMs ?? null,
  });
  // A secret learnt by a later check or config may sit in an earlier result: redact the whole
  // again, unless the run learnt none (each result was redacted with every secret there is).
  return {
    report: redactor.known === knownBefore ? report : redactor.deepAgain(report),
    redactor,
    resolved: settled.map(({ resolved }) => resolved),
  };
}

/** `run` on each item, one after another, its results in order. */
async function inSequence<T, R>(items: readonly T[], run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const [index, item] of items.entries()) results.push(await run(item, index));
  return results;
}
