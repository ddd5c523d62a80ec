import type { ParsedConfig, ResolvedConfig } from '../src/config/types.js';
import type { KeyPair, LoadedCertificate, LoadedKey } from '../src/credentials/types.js';
import type { CheckedToken, ClockSkew, FetchedJwks, IssuedToken, ReachableEndpoint, RegisteredKey } from '../src/online/types.js';

/**
 * What each check hands to the checks that need it. `undefined` in a type
 * means the check may not apply to a config (and then gives nothing).
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
  'jwks.fetch': FetchedJwks;
  'jwks.signing-key': RegisteredKey | undefined;
  'jwks.transport-key': RegisteredKey | undefined;
  'network.token-endpoint': ReachableEndpoint;
  'network.api-endpoint': ReachableEndpoint;
  'clock.skew': ClockSkew;
  'token.request': IssuedToken;
  'token.response': CheckedToken;
  'probe.call': { status: number };
}
