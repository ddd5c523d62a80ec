/** Options a user sets for one run. */
export interface RunOptions {
  offline: boolean;
  /** Per network step, milliseconds (--timeout); unset: the config's http.timeoutMs. */
  timeoutMs?: number;
  strict: boolean;
  debug: boolean;
  /** Check ids or prefixes to run (with their needs); empty runs all. */
  only: string[];
  /** Check ids or prefixes not to run. */
  skip: string[];
}

/**
 * Built once per config and read-only: checks get everything about the
 * outside world from here (environment, clock), so tests control it.
 */
import type { CredentialMemo } from '../credentials/memo.js';
import type { HttpSession } from '../net/http.js';
import type { DnsLookup } from '../net/probe.js';

export interface RunContext {
  /** The config file as the user named it. */
  configPath: string;
  /** Variables for `${VAR}` interpolation: the process environment overlaid with --env-file. */
  env: Readonly<Record<string, string | undefined>>;
  options: Readonly<RunOptions>;
  /** Milliseconds since the epoch. */
  now(): number;
  /** HTTP for the online checks: one session per run, closed when it ends. */
  http: HttpSession;
  /** Host name resolution for the network checks (default: the system resolver). */
  lookup?: DnsLookup;
  /** Keys and certificates the run has loaded, shared by its configs (default: each load parses its file). */
  credentials?: CredentialMemo;
}

export const DEFAULT_OPTIONS: RunOptions = {
  offline: false,
  strict: false,
  debug: false,
  only: [],
  skip: [],
};

/** The timeout of one network step: --timeout when given, else the config's http.timeoutMs. */
export function stepTimeout(ctx: RunContext, config: { http: { timeoutMs: number } }): number {
  return ctx.options.timeoutMs ?? config.http.timeoutMs;
}

/** The longest step timeout accepted: ten minutes (the schema's limit for http.timeoutMs). */
export const MAX_TIMEOUT_MS = 600_000;

export function isValidTimeout(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 1 && ms <= MAX_TIMEOUT_MS;
}
