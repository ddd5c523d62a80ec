import type { ResolvedConfig } from '../config/types.js';
import type { CredentialFacts, CredentialRole, TrustAnchors } from './material.js';
import { checkDefiner } from '../pipeline/check.js';
import type { RunContext } from '../pipeline/context.js';

/** Which side of the review a config is on: the first argument, or the second. */
export type Side = 'uat' | 'production';

export const SIDES: readonly Side[] = ['uat', 'production'];

export const SIDE_NAMES: Record<Side, string> = { uat: 'UAT', production: 'Production' };

/** One side of a migration review, loaded once: the config, its credentials and its trust anchors. */
export interface LoadedSide {
  config: ResolvedConfig;
  /** Undefined for a role the config does not use. */
  credentials: Readonly<Record<CredentialRole, CredentialFacts | undefined>>;
  /** The certificates of `http.ca`; undefined when the config sets none. */
  trustAnchors: TrustAnchors | undefined;
}

/** The two configs of a migration review, resolved, with what migration.load loaded of each. */
export interface ConfigPair {
  uat: ResolvedConfig;
  production: ResolvedConfig;
  loaded: Readonly<Record<Side, LoadedSide>>;
}

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

/** Defines a `golive diff` check: its run gets the migration context. */
export const defineMigrationCheck = checkDefiner<MigrationContext>();
