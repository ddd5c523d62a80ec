import type { IdOf } from '../../src/pipeline/check.js';
import migrationLoad from '../migration.load.js';
import migrationEnvironments from '../migration.environments.js';
import migrationCredentials from '../migration.credentials.js';
import migrationEndpoints from '../migration.endpoints.js';
import migrationChanges from '../migration.changes.js';
import migrationLifetimes from '../migration.lifetimes.js';

/** The `golive diff` registry: report order, every check after the checks it needs. */
export const MIGRATION_CHECKS = [
  migrationLoad,
  migrationEnvironments,
  migrationCredentials,
  migrationEndpoints,
  migrationChanges,
  migrationLifetimes,
] as const;

/** Every `golive diff` check id, in report order. Scripts and support key on these. */
export type MigrationId = IdOf<typeof MIGRATION_CHECKS>;

export const MIGRATION_IDS: readonly MigrationId[] = MIGRATION_CHECKS.map((check) => check.id);
