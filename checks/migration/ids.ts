import type { ResolvedConfig } from '../../src/config/types.js';

/** Every `golive diff` check id, in report order. Scripts and support key on these. */
export const MIGRATION_IDS = [
  'migration.load',
  'migration.environments',
  'migration.credentials',
  'migration.endpoints',
  'migration.changes',
  'migration.lifetimes',
] as const;

export type MigrationId = (typeof MIGRATION_IDS)[number];

/** The two configs of a migration review, resolved. */
export interface ConfigPair {
  uat: ResolvedConfig;
  production: ResolvedConfig;
}

/** What each migration check hands to the checks that need it. */
export interface MigrationOutputs {
  'migration.load': ConfigPair;
  'migration.environments': undefined;
  'migration.credentials': undefined;
  'migration.endpoints': undefined;
  'migration.changes': undefined;
  'migration.lifetimes': undefined;
}
