import type { IdOf, OutputsOf } from '../src/pipeline/check.js';
import configParse from './config.parse.js';
import configSchema from './config.schema.js';
import configReferences from './config.references.js';
import configConsistency from './config.consistency.js';
import signingKey from './signing.key.js';
import signingCertificate from './signing.certificate.js';
import signingKeypair from './signing.keypair.js';
import transportKey from './transport.key.js';
import transportCertificate from './transport.certificate.js';
import transportKeypair from './transport.keypair.js';
import jwksFetch from './jwks.fetch.js';
import jwksSigningKey from './jwks.signing-key.js';
import jwksTransportKey from './jwks.transport-key.js';
import networkTokenEndpoint from './network.token-endpoint.js';
import networkApiEndpoint from './network.api-endpoint.js';
import clockSkew from './clock.skew.js';
import probeCall from './probe.call.js';
import tokenRequest from './token.request.js';
import tokenResponse from './token.response.js';

/**
 * The `golive check` registry: the one list of its checks, in report order
 * (DESIGN.md), every check after the checks it needs. Check ids, outputs,
 * `golive explain`, SARIF rule help and the README's check list derive
 * from it.
 */
export const CHECKS = [
  configParse,
  configSchema,
  configReferences,
  configConsistency,
  signingKey,
  signingCertificate,
  signingKeypair,
  transportKey,
  transportCertificate,
  transportKeypair,
  jwksFetch,
  jwksSigningKey,
  jwksTransportKey,
  networkTokenEndpoint,
  networkApiEndpoint,
  clockSkew,
  tokenRequest,
  tokenResponse,
  probeCall,
] as const;

/** Every check id, in report order. Scripts and support key on these. */
export type CheckId = IdOf<typeof CHECKS>;

export const CHECK_IDS: readonly CheckId[] = CHECKS.map((check) => check.id);

/** What each check hands to the checks that need it. */
export type CheckOutputs = OutputsOf<typeof CHECKS>;
