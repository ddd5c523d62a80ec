import { defineMigrationCheck } from '../src/migration/check.js';
import { findingsOutcome, type Difference } from '../src/migration/findings.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import migrationLoad from './migration.load.js';

/** The two files as the user named them. */
interface Named {
  uat: string;
  production: string;
}

function findings() {
  return {
    'same-content': {
      message: ({ uat, production, sha256 }: Named & { sha256: string }) =>
        `${uat} and ${production} are the same file content (SHA-256 ${sha256.slice(0, 12)}…), so nothing was migrated`,
      hint: () => 'Name the UAT config first and the Production config second: golive diff uat.yaml prod.yaml.',
    },
    'arguments-swapped': {
      message: ({ uat, production }: Named) => `${uat} is the Production config and ${production} the UAT one: the arguments are the wrong way round`,
      hint: ({ uat, production }: Named) => `Run golive diff ${production} ${uat} (UAT first, Production second).`,
    },
    'first-not-uat': {
      message: ({ uat, environment }: Named & { environment: string }) => `${uat}, named first as the UAT config, has environment: ${environment}`,
      hint: ({ uat }: Named) => `Name the UAT config first, or set environment: uat in ${uat} if it is the UAT config.`,
    },
    'second-not-production': {
      message: ({ production, environment }: Named & { environment: string }) =>
        `${production}, named second as the Production config, has environment: ${environment}`,
      hint: ({ production }: Named) =>
        `Set environment: production in ${production} (the profile then derives the Production hosts), or name the Production config second.`,
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

export default defineMigrationCheck({
  id: 'migration.environments',
  title: 'UAT first, Production second',
  needs: [migrationLoad],
  explain: {
    verifies:
      'The first config says `environment: uat` and the second `environment: production`, and the two files differ. The Production environment decides which hosts the thredd profile derives.',
    causes: [
      'The arguments are the wrong way round: `golive diff prod.yaml uat.yaml`.',
      'The Production config was copied from UAT and `environment` was not changed, so it still derives the UAT hosts.',
      'The same file was named twice.',
    ],
    fixes: [
      'Run `golive diff uat.yaml prod.yaml`: UAT first, Production second.',
      'Set `environment: production` in the Production config.',
    ],
    seeAlso: ['migration.endpoints', 'config.consistency'],
  },
  run(ctx, deps) {
    const { uat, production } = deps['migration.load'];
    const shown = { uat: ctx.configs.uat.shown, production: ctx.configs.production.shown };
    const differences: Difference[] = [];
    const both = { field: 'environment', uat: uat.environment, production: production.environment };
    if (uat.parsed.sha256 === production.parsed.sha256) {
      differences.push({
        severity: 'fail',
        field: 'file',
        ...shown,
        ...finding.text('same-content', { ...shown, sha256: uat.parsed.sha256 }),
      });
    } else if (uat.environment === 'production' && production.environment === 'uat') {
      differences.push({ ...both, severity: 'fail', ...finding.text('arguments-swapped', shown) });
    } else {
      if (uat.environment !== 'uat') {
        differences.push({ ...both, severity: 'fail', ...finding.text('first-not-uat', { ...shown, environment: uat.environment }) });
      }
      if (production.environment !== 'production') {
        differences.push({ ...both, severity: 'fail', ...finding.text('second-not-production', { ...shown, environment: production.environment }) });
      }
    }
    return findingsOutcome(
      differences,
      { uat: `${shown.uat}: environment ${uat.environment}`, production: `${shown.production}: environment ${production.environment}` },
      `${shown.uat} is the UAT config and ${shown.production} the Production config.`,
    );
  },
});
