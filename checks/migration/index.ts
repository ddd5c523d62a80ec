import type { MigrationCheck } from '../../src/migration/check.js';
import migrationLoad from '../migration.load.js';
import migrationEnvironments from '../migration.environments.js';
import migrationCredentials from '../migration.credentials.js';
import migrationEndpoints from '../migration.endpoints.js';
import migrationChanges from '../migration.changes.js';
import migrationLifetimes from '../migration.lifetimes.js';

/** The ordered registry of `golive diff`: report order, every check after the checks it needs. */
export const MIGRATION_CHECKS: readonly MigrationCheck[] = [
  migrationLoad,
  migrationEnvironments,
  migrationCredentials,
  migrationEndpoints,
  migrationChanges,
  migrationLifetimes,
] as MigrationCheck[];
