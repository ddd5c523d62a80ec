import type { Evidence, SkipReason, Status } from '../pipeline/check.js';

export type Summary = Record<Status, number>;

/** One check's result as reported (DESIGN.md, "Report"). */
export interface CheckReport {
  id: string;
  title: string;
  status: Status;
  durationMs: number;
  /** The finding of a warn or fail, stable for scripts (e.g. `key-not-registered`). */
  code?: string;
  /** Why a skip did not run. */
  skipReason?: SkipReason;
  message?: string;
  hint?: string;
  evidence?: Evidence;
  needs: string[];
  /** Set when the check threw: a golive bug, not a finding about the config. */
  internalError?: boolean;
}

export interface RunConfigSummary {
  path: string;
  sha256?: string;
  profile?: string;
  environment?: string;
  connectivity?: string;
  region?: number;
  authMethod?: string;
  clientId?: string;
  organisationId?: string;
  endpoints?: { token: string; jwks: string; api: string };
}

/** Both configs of a migration review (`golive diff`): the run's config is the Production one. */
export interface ConfigPairSummary {
  uat: RunConfigSummary;
  production: RunConfigSummary;
}

export interface RunReport {
  config: RunConfigSummary;
  /** `golive diff` only: the UAT and the Production config compared. */
  pair?: ConfigPairSummary;
  status: 'pass' | 'fail';
  summary: Summary;
  checks: CheckReport[];
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'golive'; version: string };
  /** `check` or `diff`. */
  command: string;
  startedAt: string;
  durationMs: number;
  status: 'pass' | 'fail';
  /** Whether warnings failed the run (--strict). */
  strict: boolean;
  summary: Summary;
  host: {
    node: string;
    openssl: string;
    platform: string;
    arch: string;
    clockSkewMs: number | null;
  };
  runs: RunReport[];
}
