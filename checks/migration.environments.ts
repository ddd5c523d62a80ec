import { defineMigrationCheck } from '../src/migration/check.js';
import { findingsOutcome, type Finding } from '../src/migration/findings.js';
import migrationLoad from './migration.load.js';

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
    const findings: Finding[] = [];
    const both = { field: 'environment', uat: uat.environment, production: production.environment };
    if (uat.parsed.sha256 === production.parsed.sha256) {
      findings.push({
        severity: 'fail',
        field: 'file',
        uat: shown.uat,
        production: shown.production,
        message: `${shown.uat} and ${shown.production} are the same file content (SHA-256 ${uat.parsed.sha256.slice(0, 12)}…), so nothing was migrated`,
        hint: `Name the UAT config first and the Production config second: golive diff uat.yaml prod.yaml.`,
      });
    } else if (uat.environment === 'production' && production.environment === 'uat') {
      findings.push({
        ...both,
        severity: 'fail',
        message: `${shown.uat} is the Production config and ${shown.production} the UAT one: the arguments are the wrong way round`,
        hint: `Run golive diff ${shown.production} ${shown.uat} (UAT first, Production second).`,
      });
    } else {
      if (uat.environment !== 'uat') {
        findings.push({
          ...both,
          severity: 'fail',
          message: `${shown.uat}, named first as the UAT config, has environment: ${uat.environment}`,
          hint: `Name the UAT config first, or set environment: uat in ${shown.uat} if it is the UAT config.`,
        });
      }
      if (production.environment !== 'production') {
        findings.push({
          ...both,
          severity: 'fail',
          message: `${shown.production}, named second as the Production config, has environment: ${production.environment}`,
          hint: `Set environment: production in ${shown.production} (the profile then derives the Production hosts), or name the Production config second.`,
        });
      }
    }
    return findingsOutcome(
      findings,
      { uat: `${shown.uat}: environment ${uat.environment}`, production: `${shown.production}: environment ${production.environment}` },
      `${shown.uat} is the UAT config and ${shown.production} the Production config.`,
    );
  },
});
