import path from 'node:path';
import { CHECK_IDS, CHECKS } from '../checks/index.js';
import configConsistency from '../checks/config.consistency.js';
import { checkConfigs, type CheckRunResult } from './check-run.js';
import { EnvFileError, readEnvFiles } from './config/env-files.js';
import type { ResolvedConfig } from './config/types.js';
import { createHttpSession } from './net/http.js';
import { DEFAULT_OPTIONS, isValidTimeout, MAX_TIMEOUT_MS, type RunContext, type RunOptions } from './pipeline/context.js';
import { runCheckGraph, type RunnerEvent } from './pipeline/runner.js';
import { unknownSelector } from './pipeline/select.js';
import { Redactor } from './redact.js';
import type { CheckReport, Report } from './report/types.js';

/** Where the variables for `${VAR}` come from. */
export interface VariableSources {
  /** Variables for `${VAR}` interpolation. Default: `process.env`. Used as given, not merged with it. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * dotenv files (`KEY=value`) loaded over `env`, later files winning, like
   * `--env-file`. Values of variables whose names contain SECRET, PASSWORD,
   * PASSPHRASE, TOKEN or KEY are redacted from the report. A file that cannot
   * be read rejects the call: it is a mistake in the call, not in a config.
   */
  envFiles?: readonly string[];
  /** The folder relative config and env-file paths resolve against. Default: `process.cwd()`. */
  cwd?: string;
}

export interface RunChecksOptions extends VariableSources {
  /** No network: the config.*, signing.* and transport.* checks only. Default false. */
  offline?: boolean;
  /** Check ids or prefixes (e.g. `jwks`) to run, with what they need. Default: all. */
  only?: readonly string[];
  /** Check ids or prefixes not to run. */
  skip?: readonly string[];
  /** Warnings fail the run. Default false. */
  strict?: boolean;
  /** Per network step, in milliseconds. Default: the config's `http.timeoutMs` (10000). */
  timeoutMs?: number;
  /** Put the stack of an unexpected error in that check's evidence. Default false. */
  debug?: boolean;
  /** More values to redact from the report, e.g. secrets the caller loaded itself. */
  secrets?: readonly string[];
  /** Called as each check starts and ends; `configIndex` says which of `configs`. */
  onEvent?: (configIndex: number, event: RunnerEvent) => void;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

export type LoadConfigOptions = VariableSources;

/**
 * The outcome of `loadConfig`. `config` holds the values interpolated from
 * the variables, secrets included: never log it. The reports are redacted.
 */
export type LoadConfigResult =
  | { ok: true; config: ResolvedConfig; warnings: CheckReport[] }
  | { ok: false; failures: CheckReport[] };

function checkSelectors(name: 'only' | 'skip', selectors: readonly string[]): string[] {
  const unknown = unknownSelector(selectors, CHECK_IDS);
  if (unknown !== undefined) {
    throw new TypeError(`runChecks: ${name} names "${unknown}", which selects no check; the ids are golive's CHECK_IDS`);
  }
  return [...selectors];
}

async function loadVariables(
  sources: VariableSources,
  caller: string,
): Promise<{ env: Readonly<Record<string, string | undefined>>; secrets: string[] }> {
  try {
    const { variables, secrets } = await readEnvFiles(sources.envFiles ?? [], sources.cwd ?? process.cwd());
    return { env: { ...(sources.env ?? process.env), ...variables }, secrets };
  } catch (error) {
    if (error instanceof EnvFileError) throw new Error(`${caller}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * `runChecks` and the redactor that met every secret of the run, for
 * anything else the caller prints (the CLI redacts its rendered output a
 * second time with it).
 */
export async function runChecksWithRedactor(configs: string | readonly string[], options: RunChecksOptions = {}): Promise<CheckRunResult> {
  const list = typeof configs === 'string' ? [configs] : [...configs];
  if (list.length === 0) throw new TypeError('runChecks: name at least one config file');
  if (options.timeoutMs !== undefined && !isValidTimeout(options.timeoutMs)) {
    throw new TypeError(`runChecks: timeoutMs must be whole milliseconds from 1 to ${MAX_TIMEOUT_MS}; got ${options.timeoutMs}`);
  }
  const runOptions: RunOptions = {
    ...DEFAULT_OPTIONS,
    offline: options.offline ?? DEFAULT_OPTIONS.offline,
    strict: options.strict ?? DEFAULT_OPTIONS.strict,
    debug: options.debug ?? DEFAULT_OPTIONS.debug,
    only: checkSelectors('only', options.only ?? DEFAULT_OPTIONS.only),
    skip: checkSelectors('skip', options.skip ?? DEFAULT_OPTIONS.skip),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  };
  const { env, secrets } = await loadVariables(options, 'runChecks');
  const cwd = options.cwd ?? process.cwd();
  const result = await checkConfigs({
    configs: list.map((config) => path.resolve(cwd, config)),
    options: runOptions,
    env,
    secrets: [...secrets, ...(options.secrets ?? [])],
    now: options.now,
    onEvent: options.onEvent,
  });
  // The report names each config as the caller did, not by its absolute path.
  for (const [index, run] of result.report.runs.entries()) run.config.path = result.redactor.text(list[index]!);
  return result;
}

/**
 * Runs every check on one or more configs and resolves to the report the
 * CLI prints (`golive check --json`), secrets redacted. It rejects only for
 * a mistake in the call (no config, an unknown check id in `only`/`skip`,
 * an unreadable env file); anything wrong with a config is a failed check
 * in the report. `exitCodeFor(report)` gives the CLI's exit code.
 *
 * @example
 * const report = await runChecks('prod.yaml', { offline: true });
 * if (report.status === 'fail') process.exitCode = exitCodeFor(report);
 */
export async function runChecks(configs: string | readonly string[], options: RunChecksOptions = {}): Promise<Report> {
  return (await runChecksWithRedactor(configs, options)).report;
}

const CONFIG_CHECKS = CHECKS.filter((check) => check.id.startsWith('config.'));

/**
 * Reads, validates and resolves one config with the four config.* checks
 * (parse, schema, references, consistency): no network, no key loading.
 * Never rejects for a bad file: `failures` are the failed checks, each with
 * `message`, `hint` and, where the problem is in the file, `evidence.location`
 * (`path`, `line`, `column`).
 */
export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<LoadConfigResult> {
  const { env, secrets } = await loadVariables(options, 'loadConfig');
  const http = createHttpSession(env);
  const context: RunContext = Object.freeze({
    configPath: path.resolve(options.cwd ?? process.cwd(), file),
    env,
    options: Object.freeze({ ...DEFAULT_OPTIONS, offline: true }),
    now: Date.now,
    http,
  });
  const { results, output } = await runCheckGraph({ checks: CONFIG_CHECKS, context, redactor: new Redactor(secrets) }).finally(() =>
    http.close(),
  );
  const failures = results.filter((result) => result.status === 'fail');
  if (failures.length > 0) return { ok: false, failures };
  return {
    ok: true,
    config: output(configConsistency)!,
    warnings: results.filter((result) => result.status === 'warn'),
  };
}
