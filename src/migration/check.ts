import type { MigrationId, MigrationOutputs } from '../../checks/migration/ids.js';
import type { CheckOutcome } from '../pipeline/check.js';
import type { RunContext } from '../pipeline/context.js';

/** Which side of the review a config is on: the first argument, or the second. */
export type Side = 'uat' | 'production';

export const SIDES: readonly Side[] = ['uat', 'production'];

export const SIDE_NAMES: Record<Side, string> = { uat: 'UAT', production: 'Production' };

export interface ReviewedConfig {
  /** Absolute path. */
  path: string;
  /** As the user named it, for messages. */
  shown: string;
}

/**
 * The run context of `golive diff`: the generic one (its configPath is the
 * Production config), plus both configs and the go-live date.
 */
export interface MigrationContext extends RunContext {
  configs: Readonly<Record<Side, ReviewedConfig>>;
  /** Start of the go-live day, milliseconds since the epoch. */
  goLive: number;
}

export type MigrationDeps<N extends MigrationId> = { [K in N]: MigrationOutputs[K] };

/** A migration check: the same shape as a `check` check, over the migration ids and context. */
export interface MigrationCheck<I extends MigrationId = MigrationId, N extends MigrationId = MigrationId> {
  id: I;
  title: string;
  needs: readonly N[];
  run(ctx: MigrationContext, deps: MigrationDeps<N>): Promise<CheckOutcome<MigrationOutputs[I]>> | CheckOutcome<MigrationOutputs[I]>;
}

export function defineMigrationCheck<I extends MigrationId, const N extends MigrationId = never>(
  check: MigrationCheck<I, N>,
): MigrationCheck<I, N> {
  return check;
}
