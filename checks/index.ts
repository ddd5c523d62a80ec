import type { Check } from '../src/pipeline/check.js';
import type { CheckId } from './ids.js';
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
import { pendingCheck } from './pending.js';

/** The ordered registry: report order, and every check after the checks it needs. */
export const CHECKS: readonly Check[] = [
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
  pendingCheck('jwks.fetch', 'Organisation JWKS answers', ['config.consistency']),
  pendingCheck('jwks.signing-key', 'Signing key registered in JWKS', ['jwks.fetch', 'signing.keypair']),
  pendingCheck('jwks.transport-key', 'Transport certificate registered in JWKS', ['jwks.fetch', 'transport.keypair']),
  pendingCheck('network.token-endpoint', 'Token host reachable over TLS', ['config.consistency']),
  pendingCheck('network.api-endpoint', 'API host reachable over TLS', ['config.consistency']),
  pendingCheck('clock.skew', 'Local clock agrees with the server', ['network.token-endpoint']),
  pendingCheck('token.request', 'Token issued', ['network.token-endpoint', 'signing.keypair']),
  pendingCheck('token.response', 'Token response is sound', ['token.request']),
  pendingCheck('probe.call', 'Probe API call answers', ['token.request', 'network.api-endpoint']),
] as Check[];

export function checkById(id: string): Check | undefined {
  return CHECKS.find((check) => check.id === (id as CheckId));
}
