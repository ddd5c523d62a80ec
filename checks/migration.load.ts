import type { ResolvedConfig } from '../src/config/types.js';
import { defineMigrationCheck, SIDE_NAMES, SIDES, type MigrationContext, type Side } from '../src/migration/check.js';
import { fail, pass, warn, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import configParse from './config.parse.js';
import configReferences from './config.references.js';
import configSchema from './config.schema.js';

interface Loaded {
  side: Side;
  /** The config check that decided: the first that did not pass, or config.references. */
  step: 'config.parse' | 'config.schema' | 'config.references';
  outcome: CheckOutcome<unknown>;
  resolved?: ResolvedConfig;
}

/** Runs the config checks of `golive check` on one side, stopping at the first that fails. */
async function loadSide(ctx: MigrationContext, side: Side): Promise<Loaded> {
  const sideCtx = { ...ctx, configPath: ctx.configs[side].path };
  const parse = await configParse.run(sideCtx, {});
  if (parse.status === 'fail') return { side, step: 'config.parse', outcome: parse };
  const schema = await configSchema.run(sideCtx, { 'config.parse': parse.output! });
  if (schema.status === 'fail') return { side, step: 'config.schema', outcome: schema };
  const references = await configReferences.run(sideCtx, { 'config.schema': schema.output! });
  return { side, step: 'config.references', outcome: references, resolved: references.status === 'fail' ? undefined : references.output };
}

/** The evidence of a config check, with its file location as text: the run's own location is the Production file's. */
function sideEvidence(ctx: MigrationContext, { side, step, outcome }: Loaded): Evidence {
  const { location, ...rest } = outcome.evidence ?? {};
  const where = location as { path?: string; line: number; column: number } | undefined;
  return {
    file: ctx.configs[side].shown,
    check: step,
    ...(where && { at: `${ctx.configs[side].shown}:${where.line}:${where.column}${where.path ? ` (${where.path})` : ''}` }),
    details: rest,
  };
}

export default defineMigrationCheck({
  id: 'migration.load',
  title: 'Both configs load',
  needs: [],
  async run(ctx) {
    const loaded = await Promise.all(SIDES.map((side) => loadSide(ctx, side)));
    const secrets = loaded.flatMap(({ outcome }) => outcome.secrets ?? []);
    const label = ({ side }: Loaded) => `${ctx.configs[side].shown} (${SIDE_NAMES[side]})`;
    const failed = loaded.filter(({ outcome }) => outcome.status === 'fail');
    if (failed.length > 0) {
      return {
        ...fail({
          message: failed.map((side) => `${label(side)}: ${side.outcome.message ?? side.step}`).join(' '),
          hint: failed.map((side) => (failed.length > 1 ? `${ctx.configs[side.side].shown}: ${side.outcome.hint}` : side.outcome.hint)).join(' '),
          evidence: Object.fromEntries(failed.map((side) => [side.side, sideEvidence(ctx, side)])),
        }),
        secrets,
      };
    }
    const pair = { uat: loaded[0]!.resolved!, production: loaded[1]!.resolved! };
    const summary = Object.fromEntries(
      loaded.map(({ side, resolved }) => [side, { file: ctx.configs[side].shown, environment: resolved!.environment, sha256: resolved!.parsed.sha256 }]),
    );
    const warned = loaded.filter(({ outcome }) => outcome.status === 'warn');
    if (warned.length > 0) {
      return {
        ...warn(
          {
            message: warned.map((side) => `${label(side)}: ${side.outcome.message}`).join(' '),
            hint: warned.map((side) => side.outcome.hint).join(' '),
            evidence: { ...summary, ...Object.fromEntries(warned.map((side) => [`${side.side}Warning`, sideEvidence(ctx, side)])) },
          },
          pair,
        ),
        secrets,
      };
    }
    return { ...pass(pair, summary), secrets };
  },
});
