import path from 'node:path';
import { interpolate } from '../config/interpolate.js';
import { parseConfigFile } from '../config/parse.js';
import { resolveConfig } from '../config/resolve.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Report, RunReport } from '../report/types.js';
import { commentText, curlSteps, formatCurlSteps } from './build.js';

export interface CurlScriptInput {
  /** Variables for interpolation, as the run had them. */
  env: Readonly<Record<string, string | undefined>>;
  /** --timeout, when given. */
  timeoutMs?: number;
  /** The working folder: config paths in the report are relative to it. */
  cwd: string;
}

/**
 * The run's config, loaded again as config.references loaded it: only for a
 * run where that check passed (so the file is schema-valid) and the file is
 * still the one the report describes.
 */
async function reloadConfig(run: RunReport, input: CurlScriptInput): Promise<{ config: ResolvedConfig } | { reason: string }> {
  const references = run.checks.find((check) => check.id === 'config.references');
  if (references?.status !== 'pass' && references?.status !== 'warn') {
    const failed = run.checks.find((check) => check.id.startsWith('config.') && check.status === 'fail');
    return { reason: `the config did not load${failed ? ` (${failed.id} failed)` : ''}: fix it first` };
  }
  const parsed = await parseConfigFile(path.resolve(input.cwd, run.config.path));
  if (!parsed.ok || parsed.config.sha256 !== run.config.sha256) return { reason: 'the config file changed after the run: rerun golive check' };
  const resolved = resolveConfig(interpolate(parsed.config.data, input.env).data, parsed.config);
  if ('badRegion' in resolved) return { reason: 'the config did not load (bad region)' };
  return { config: resolved };
}

/**
 * What `golive check --curl` prints: per run, a curl command for each network
 * step, as a shell script (comments and commands) a person can copy from or
 * save and edit.
 */
export async function curlScript(report: Report, input: CurlScriptInput): Promise<string> {
  const lines = [
    '# golive --curl: each network step as an equivalent curl command.',
    '# Secrets are shell variables ($NAME): golive never prints their values. Set them in the shell that runs these.',
    '',
  ];
  for (const run of report.runs) {
    const where = commentText(run.config.path);
    const loaded = await reloadConfig(run, input);
    if ('reason' in loaded) {
      lines.push(`# ${where}: no curl commands: ${loaded.reason}.`, '');
      continue;
    }
    const steps = curlSteps(loaded.config, run, { cwd: input.cwd, timeoutMs: input.timeoutMs });
    if (steps.length === 0) {
      lines.push(`# ${where}: no network step was selected (--only, --skip).`, '');
      continue;
    }
    const variables = [...new Set(steps.flatMap((step) => step.variables))];
    lines.push(`# ==== ${where}`, ...(variables.length > 0 ? [`# Variables: ${variables.join(', ')}`] : []), '', ...formatCurlSteps(steps));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
