import type { Environment } from '../config/types.js';

/** The variables a config `golive init` writes reads its ids and secrets from. */
export interface ConfigVariables {
  organisationId: string;
  clientId: string;
  clientSecret: string;
  signingPassphrase: string;
  transportPassphrase: string;
}

const UAT: ConfigVariables = {
  organisationId: 'THREDD_ORG_ID',
  clientId: 'THREDD_CLIENT_ID',
  clientSecret: 'THREDD_CLIENT_SECRET',
  signingPassphrase: 'SIGNING_KEY_PASSPHRASE',
  transportPassphrase: 'TRANSPORT_KEY_PASSPHRASE',
};

const PRODUCTION: ConfigVariables = {
  organisationId: 'THREDD_PROD_ORG_ID',
  clientId: 'THREDD_PROD_CLIENT_ID',
  clientSecret: 'THREDD_PROD_CLIENT_SECRET',
  signingPassphrase: 'PROD_SIGNING_KEY_PASSPHRASE',
  transportPassphrase: 'PROD_TRANSPORT_KEY_PASSPHRASE',
};

/**
 * The names for `environment`. Production's are its own: `golive diff
 * uat.yaml prod.yaml` reads both configs in one environment, so a name both
 * read gives both the same value, and migration.credentials fails.
 */
export function configVariables(environment: Environment): ConfigVariables {
  return environment === 'production' ? PRODUCTION : UAT;
}
