import type { ParsedConfig, ResolvedConfig } from '../src/config/types.js';
import type { KeyPair, LoadedCertificate, LoadedKey } from '../src/credentials/types.js';

/**
 * What each check hands to the checks that need it. `undefined` in a type
 * means the check may not apply to a config (and then gives nothing).
 * Online checks get real output types when they are implemented.
 */
export interface CheckOutputs {
  'config.parse': ParsedConfig;
  'config.schema': ParsedConfig;
  'config.references': ResolvedConfig;
  'config.consistency': ResolvedConfig;
  'signing.key': LoadedKey | undefined;
  'signing.certificate': LoadedCertificate | undefined;
  'signing.keypair': KeyPair | undefined;
  'transport.key': LoadedKey | undefined;
  'transport.certificate': LoadedCertificate | undefined;
  'transport.keypair': KeyPair | undefined;
  'jwks.fetch': unknown;
  'jwks.signing-key': unknown;
  'jwks.transport-key': unknown;
  'network.token-endpoint': unknown;
  'network.api-endpoint': unknown;
  'clock.skew': unknown;
  'token.request': unknown;
  'token.response': unknown;
  'probe.call': unknown;
}
