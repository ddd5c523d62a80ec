import path from 'node:path';
import { MIGRATION_CHECKS } from '../../checks/migration/index.js';
import migrationLoad from '../../checks/migration.load.js';
import { createHttpSession } from '../net/http.js';
import type { RunOptions } from '../pipeline/context.js';
import { runCheckGraph, type RunnerEvent } from '../pipeline/runner.js';
import { Redactor } from '../redact.js';
import { buildReport, buildRun, configSummary } from '../report/build.js';
import type { Report } from '../report/types.js';
import { VERSION } from '../version.js';
import type { MigrationContext, Side } from './check.js';
import { DEFAULT_GO_LIVE_DAYS } from './go-live.js';

const DAY_MS = 86_400_000;

export interface MigrationRunInput {
  /** The UAT and Production config files, as the user named them (resolved against cwd). */
  uat: string;
  production: string;
  cwd: string;
  /** Start of the go-live day (ms since the epoch); default: 30 days from now. */
  goLive?: number;
  options: RunOptions;
  env: Readonly<Record<string, string | undefined>>;
  /** Secrets known before the run (values of sensitive --env-file variables). */
  secrets?: readonly string[];
  now?: () => number;
  onEvent?: (event: RunnerEvent) => void;
}

export interface MigrationRunResult {
  report: Report;
  /** The redactor that knows every secret the run met: use it for anything else printed. */
  redactor: Redactor;
}

/** Start of the UTC day holding `ms`. */
export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/**
 * `golive diff`: runs the migration checks on a UAT and a Production config
 * and builds one report with one run for the pair. The run's config is the
 * Production config; `pair` names both.
 */
export async function reviewMigration(input: MigrationRunInput): Promise<MigrationRunResult> {
  const now = input.now ?? Date.now;
  const startedAt = now();
  const redactor = new Redactor(input.secrets);
  const http = createHttpSession(input.env);
  const configs = {
    uat: { path: path.resolve(input.cwd, input.uat), shown: input.uat },
    production: { path: path.resolve(input.cwd, input.production), shown: input.production },
  };
  const context: MigrationContext = Object.freeze({
    configPath: configs.production.path,
    configs,
    goLive: startOfDay(input.goLive ?? startedAt + DEFAULT_GO_LIVE_DAYS * DAY_MS),
    env: input.env,
    options: Object.freeze({ ...input.options }),
    now,
    http,
  });
  const { results, output } = await runCheckGraph({
    checks: MIGRATION_CHECKS,
    context,
    redactor,
    onEvent: input.onEvent,
  }).finally(() => http.close());

  const pair = output(migrationLoad);
  const summaryOf = (side: Side) => redactor.deep(configSummary(configs[side].shown, pair?.[side].parsed, pair?.[side]));
  const run = {
    ...buildRun(summaryOf('production'), results, input.options.strict),
    pair: { uat: summaryOf('uat'), production: summaryOf('production') },
  };
  const report = buildReport({
    command: 'diff',
    version: VERSION,
    startedAt,
    finishedAt: now(),
    strict: input.options.strict,
    runs: [run],
    clockSkewMs: null,
  });
  return { report: redactor.deep(report), redactor };
}
