import { InputLedger } from '../files/input.js';
import type { AnyCheck } from '../pipeline/check.js';
import type { Redactor } from '../redact.js';
import type { Report } from '../report/types.js';
import { reporters, type ReporterName } from '../reporters/index.js';
import type { RuleHelp } from '../reporters/types.js';
import { UsageError } from './errors.js';
import { planArtifacts } from './inputs.js';
import { WriteError, writeToTarget, type Io } from './io.js';

/** `golive explain`'s text for a check or migration id, shaped for SARIF rules. */
async function loadRuleHelp(): Promise<(id: string) => RuleHelp | undefined> {
  const [{ CHECKS }, { MIGRATION_CHECKS }, { formatExplanationPage }] = await Promise.all([
    import('../../checks/index.js'),
    import('../../checks/migration/index.js'),
    import('./explain-page.js'),
  ]);
  const documented = new Map<string, AnyCheck>([...CHECKS, ...MIGRATION_CHECKS].map((check) => [check.id, check]));
  return (id) => {
    const check = documented.get(id);
    if (!check) return undefined;
    const { explain } = check;
    const list = (items: readonly string[]) => items.map((item) => `- ${item}`).join('\n');
    return {
      description: explain.verifies,
      text: formatExplanationPage(check, { color: false }),
      markdown: [
        `**What it verifies**\n\n${explain.verifies}`,
        `**Common causes**\n\n${list(explain.causes)}`,
        `**How to fix**\n\n${list(explain.fixes)}`,
      ].join('\n\n'),
    };
  };
}

/** A report in one format; the SARIF rules get their documentation, loaded only then. */
export async function render(format: ReporterName, report: Report, color: boolean): Promise<string> {
  const ruleHelp = format === 'sarif' ? await loadRuleHelp() : undefined;
  return reporters[format](report, { color, ruleHelp });
}

/** Artifact flags and the reporter each one writes. */
export const ARTIFACTS = { json: 'json', junit: 'junit', sarif: 'sarif', markdown: 'markdown', html: 'html' } as const satisfies Record<string, ReporterName>;
export type ArtifactFlag = keyof typeof ARTIFACTS;
export type Artifacts = Partial<Record<ArtifactFlag, string>>;

/** The artifact flags a command was given. */
export function artifactsFrom(values: Partial<Record<ArtifactFlag, string | undefined>>): Artifacts {
  const artifacts: Artifacts = {};
  for (const flag of Object.keys(ARTIFACTS) as ArtifactFlag[]) {
    const file = values[flag];
    if (file) artifacts[flag] = file;
  }
  return artifacts;
}

/**
 * Each artifact written whole (or not at all), redacted. None is written
 * when any would overwrite a file the run read (`inputs`) or another
 * artifact; that, and a path that cannot be written, is a usage error.
 */
export async function writeArtifacts(
  artifacts: Artifacts,
  report: Report,
  redactor: Redactor,
  io: Io,
  command: string,
  inputs: InputLedger = new InputLedger(),
): Promise<void> {
  const targets = await planArtifacts(artifacts, inputs, io, command);
  for (const [flag, target] of targets) {
    try {
      await writeToTarget(target, redactor.text(await render(ARTIFACTS[flag], report, false)), { streams: { 1: io.stdout, 2: io.stderr } });
    } catch (error) {
      if (!(error instanceof WriteError)) throw error;
      throw new UsageError(`--${flag} ${artifacts[flag]} cannot be written (${error.code}: ${error.detail}); the report above is complete`, command);
    }
  }
}
