import type { ResolvedConfig } from '../config/types.js';
import type { Report, RunReport } from '../report/types.js';
import { commentText, curlSteps, formatCurlSteps } from './build.js';

export interface CurlScriptInput {
  /** Each run's config as the run resolved it (undefined where it did not load), in report order. */
  resolved: ReadonlyArray<ResolvedConfig | undefined>;
  /** --timeout, when given. */
  timeoutMs?: number;
  /** The working folder: file paths are shown relative to it. */
  cwd: string;
}

/** Why a run has no config to write commands from. */
function notLoaded(run: RunReport): string {
  const failed = run.checks.find((check) => check.id.startsWith('config.') && check.status === 'fail');
  return `the config did not load${failed ? ` (${failed.id} failed)` : ''}: fix it first`;
}

/**
 * What `golive check --curl` prints: per run, a curl command for each network
 * step, as a shell script (comments and commands) a person can copy from or
 * save and edit.
 */
export function curlScript(report: Report, input: CurlScriptInput): string {
  const lines = [
    '# golive --curl: each network step as an equivalent curl command.',
    '# Secrets are shell variables ($NAME): golive never prints their values. Set them in the shell that runs these.',
    '',
  ];
  for (const [index, run] of report.runs.entries()) {
    const where = commentText(run.config.path);
    const config = input.resolved[index];
    if (!config) {
      lines.push(`# ${where}: no curl commands: ${notLoaded(run)}.`, '');
      continue;
    }
    const steps = curlSteps(config, run, { cwd: input.cwd, timeoutMs: input.timeoutMs });
    if (steps.length === 0) {
      lines.push(`# ${where}: no network step was selected (--only, --skip).`, '');
      continue;
    }
    const variables = [...new Set(steps.flatMap((step) => step.variables))];
    lines.push(`# ==== ${where}`, ...(variables.length > 0 ? [`# Variables: ${variables.join(', ')}`] : []), '', ...formatCurlSteps(steps));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
