import type { ResolvedConfig, ParsedConfig } from '../config/types.js';
import type { Status } from '../pipeline/check.js';
import type { CheckReport, Report, RunConfigSummary, RunReport, Summary } from './types.js';

export function summarise(checks: readonly { status: Status }[]): Summary {
  const summary: Summary = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of checks) summary[check.status]++;
  return summary;
}

export function runStatus(summary: Summary, strict: boolean): 'pass' | 'fail' {
  return summary.fail > 0 || (strict && summary.warn > 0) ? 'fail' : 'pass';
}

/** What the report says about a config: as much as the checks that passed could establish. */
export function configSummary(
  shownPath: string,
  parsed: ParsedConfig | undefined,
  resolved: ResolvedConfig | undefined,
): RunConfigSummary {
  if (!resolved) return { path: shownPath, ...(parsed && { sha256: parsed.sha256 }) };
  return {
    path: shownPath,
    sha256: resolved.parsed.sha256,
    profile: resolved.profile,
    environment: resolved.environment,
    connectivity: resolved.connectivity,
    region: resolved.region,
    authMethod: resolved.client.authMethod,
    clientId: resolved.client.id,
    organisationId: resolved.organisationId,
    endpoints: { ...resolved.endpoints },
  };
}

export function buildRun(config: RunConfigSummary, checks: CheckReport[], strict: boolean): RunReport {
  const summary = summarise(checks);
  return { config, status: runStatus(summary, strict), summary, checks };
}

export function buildReport(input: {
  command: string;
  version: string;
  startedAt: number;
  finishedAt: number;
  strict: boolean;
  runs: RunReport[];
  clockSkewMs?: number | null;
}): Report {
  const summary = summarise(input.runs.flatMap((run) => run.checks));
  return {
    schemaVersion: 1,
    tool: { name: 'golive', version: input.version },
    command: input.command,
    startedAt: new Date(input.startedAt).toISOString(),
    durationMs: Math.round(input.finishedAt - input.startedAt),
    status: input.runs.some((run) => run.status === 'fail') ? 'fail' : 'pass',
    strict: input.strict,
    summary,
    host: {
      node: process.version,
      openssl: process.versions.openssl ?? 'unknown',
      platform: process.platform,
      arch: process.arch,
      clockSkewMs: input.clockSkewMs ?? null,
    },
    runs: input.runs,
  };
}

/** One function decides the exit code of a finished run: 0 ready, 1 a check failed. */
export function exitCodeFor(report: Report): 0 | 1 {
  return report.status === 'pass' ? 0 : 1;
}
