import type { ResolvedConfig } from '../src/config/types.js';
import { defineMigrationCheck, SIDE_NAMES, SIDES, type ConfigPair, type LoadedSide, type MigrationContext, type Side } from '../src/migration/check.js';
import { credentialFacts, trustAnchorFacts } from '../src/migration/material.js';
import { pass, type Evidence } from '../src/pipeline/check.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import { runCheckGraph } from '../src/pipeline/runner.js';
import { Redactor } from '../src/redact.js';
import type { CheckReport } from '../src/report/types.js';
import configParse from './config.parse.js';
import configReferences from './config.references.js';
import configSchema from './config.schema.js';

/** The config checks of `golive check` that load one side. */
const SIDE_CHECKS = [configParse, configSchema, configReferences] as const;

interface Loaded {
  side: Side;
  /** The config check that decided: the first that failed, else config.references. */
  step: string;
  outcome: CheckReport;
  resolved?: ResolvedConfig;
  /** Secrets the config checks learnt (values interpolated from secret variables). */
  secrets: string[];
}

/** The sides whose config checks failed or warned, each with its file as the user named it. */
interface Sides {
  sides: readonly (Loaded & { file: string })[];
}

const label = ({ side, file }: Sides['sides'][number]): string => `${file} (${SIDE_NAMES[side]})`;

function findings() {
  return {
    'config-does-not-load': {
      message: ({ sides }: Sides) => sides.map((side) => `${label(side)}: ${side.outcome.message ?? side.step}`).join(' '),
      hint: ({ sides }: Sides) => sides.map((side) => (sides.length > 1 ? `${side.file}: ${side.outcome.hint}` : side.outcome.hint)).join(' '),
    },
    'config-warning': {
      message: ({ sides }: Sides) => sides.map((side) => `${label(side)}: ${side.outcome.message}`).join(' '),
      hint: ({ sides }: Sides) => sides.map((side) => side.outcome.hint).join(' '),
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

/** Runs the config checks of `golive check` on one side, with the same runner. */
async function loadSide(ctx: MigrationContext, side: Side): Promise<Loaded> {
  const context: MigrationContext = Object.freeze({ ...ctx, configPath: ctx.configs[side].path });
  const { results, output, secrets } = await runCheckGraph({ checks: SIDE_CHECKS, context, redactor: new Redactor() });
  const decided = results.find(({ status }) => status === 'fail') ?? results.at(-1)!;
  const resolved = decided.status === 'fail' ? undefined : output(configReferences);
  return { side, step: decided.id, outcome: decided, ...(resolved && { resolved }), secrets };
}

/** Each side's credentials and trust anchors, loaded once for every migration check. */
async function loadMaterial(config: ResolvedConfig): Promise<LoadedSide> {
  const [signing, transport, trustAnchors] = await Promise.all([
    credentialFacts(config, 'signing'),
    credentialFacts(config, 'transport'),
    trustAnchorFacts(config),
  ]);
  return { config, credentials: { signing, transport }, trustAnchors };
}

/**
 * The evidence of a config check, with its finding's code and its file
 * location as text: the run's own location is the Production file's.
 */
function sideEvidence(ctx: MigrationContext, { side, step, outcome }: Loaded): Evidence {
  const { location, ...rest } = outcome.evidence ?? {};
  const where = location as { path?: string; line: number; column: number } | undefined;
  return {
    file: ctx.configs[side].shown,
    check: step,
    ...(outcome.code !== undefined && { code: outcome.code }),
    ...(where && { at: `${ctx.configs[side].shown}:${where.line}:${where.column}${where.path ? ` (${where.path})` : ''}` }),
    details: rest,
  };
}

export default defineMigrationCheck({
  id: 'migration.load',
  title: 'Both configs load',
  needs: [],
  explain: {
    verifies:
      'Each of the two configs passes what config.parse, config.schema and config.references check in `golive check`: the file reads and parses, matches the schema, every `${VAR}` is set and every referenced file exists. A failure names which config (the UAT one, named first, or the Production one, named second). The other migration checks need both configs loaded.',
    causes: [
      'The Production config reads variables that are set only where Production runs (a CI job, a vault), not in this shell.',
      'Both configs read the same variable names, so one environment cannot hold both values: `--env-file` loads one set for both.',
      'The Production credential files were not copied to this machine.',
      'A typo or syntax error introduced while copying the UAT config.',
    ],
    fixes: [
      'Give the Production config its own variable names (e.g. THREDD_PROD_CLIENT_ID) and pass both sets: `golive diff uat.yaml prod.yaml --env-file uat.env --env-file prod.env`.',
      'Check each config alone with `golive check --offline <config>` for the full diagnosis.',
    ],
    seeAlso: ['config.parse', 'config.schema', 'config.references'],
  },
  async run(ctx) {
    const loaded = await Promise.all(SIDES.map((side) => loadSide(ctx, side)));
    const secrets = loaded.flatMap((side) => side.secrets);
    const named = (sides: readonly Loaded[]): Sides => ({ sides: sides.map((side) => ({ ...side, file: ctx.configs[side.side].shown })) });
    const failed = loaded.filter(({ outcome }) => outcome.status === 'fail');
    if (failed.length > 0) {
      const evidence = Object.fromEntries(failed.map((side) => [side.side, sideEvidence(ctx, side)]));
      return { ...finding.fail('config-does-not-load', named(failed), evidence), secrets };
    }
    const [uat, production] = await Promise.all([loadMaterial(loaded[0]!.resolved!), loadMaterial(loaded[1]!.resolved!)]);
    const pair: ConfigPair = { uat: uat.config, production: production.config, loaded: { uat, production } };
    const summary = Object.fromEntries(
      loaded.map(({ side, resolved }) => [side, { file: ctx.configs[side].shown, environment: resolved!.environment, sha256: resolved!.parsed.sha256 }]),
    );
    const warned = loaded.filter(({ outcome }) => outcome.status === 'warn');
    if (warned.length > 0) {
      const evidence = { ...summary, ...Object.fromEntries(warned.map((side) => [`${side.side}Warning`, sideEvidence(ctx, side)])) };
      return { ...finding.warn('config-warning', named(warned), evidence, pair), secrets };
    }
    return { ...pass(pair, summary), secrets };
  },
});
