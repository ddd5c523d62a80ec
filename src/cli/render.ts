import type { Report } from '../report/types.js';
import { reporters, type ReporterName } from '../reporters/index.js';
import type { RuleHelp } from '../reporters/types.js';

/** `golive explain`'s text for a check or migration id, shaped for SARIF rules. */
async function loadRuleHelp(): Promise<(id: string) => RuleHelp | undefined> {
  const [{ EXPLANATIONS, DOCUMENTED_NEEDS, formatExplanationPage }, { MIGRATION_EXPLANATIONS }] = await Promise.all([
    import('../../checks/explain.js'),
    import('../../checks/migration/explain.js'),
  ]);
  const tables: Record<string, { title: string; verifies: string; causes: string[]; fixes: string[]; seeAlso?: readonly string[] }> = {
    ...EXPLANATIONS,
    ...MIGRATION_EXPLANATIONS,
  };
  return (id) => {
    if (!Object.hasOwn(tables, id)) return undefined;
    const explanation = tables[id]!;
    const list = (items: readonly string[]) => items.map((item) => `- ${item}`).join('\n');
    return {
      description: explanation.verifies,
      text: formatExplanationPage(id, explanation, (DOCUMENTED_NEEDS as Record<string, readonly string[]>)[id] ?? [], { color: false }),
      markdown: [
        `**What it verifies**\n\n${explanation.verifies}`,
        `**Common causes**\n\n${list(explanation.causes)}`,
        `**How to fix**\n\n${list(explanation.fixes)}`,
      ].join('\n\n'),
    };
  };
}

/** A report in one format; the SARIF rules get their documentation, loaded only then. */
export async function render(format: ReporterName, report: Report, color: boolean): Promise<string> {
  const ruleHelp = format === 'sarif' ? await loadRuleHelp() : undefined;
  return reporters[format](report, { color, ruleHelp });
}
