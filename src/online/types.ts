import type { ResolvedConfig } from '../config/types.js';
import type { ProbeResult, TlsMaterial } from '../net/probe.js';

/** A key of a JSON Web Key Set, as published (fields golive reads). */
export interface PublishedJwk {
  kty?: string;
  kid?: string;
  use?: string;
  alg?: string;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
  x5c?: string[];
  'x5t#S256'?: string;
  [member: string]: unknown;
}

/** The output of jwks.fetch. */
export interface FetchedJwks {
  url: string;
  /** The key objects of `keys` (entries that are not objects are left out). */
  keys: PublishedJwk[];
  /** The kids published, in order, each once. */
  kids: string[];
  bytes: number;
  contentType?: string;
  fetchMs: number;
  /**
   * The config the set was fetched for. The key checks need only jwks.fetch
   * and a key pair, yet compare against `signing.kid` and `signing.algorithm`:
   * the config reaches them here rather than through another need.
   */
  config: ResolvedConfig;
}

/** The output of jwks.signing-key and jwks.transport-key: where the local key is registered. */
export interface RegisteredKey {
  kid?: string;
  use?: string;
  alg?: string;
  /**
   * How it was matched, never by kid: `thumbprint` (the RFC 7638 members are
   * identical), `modulus` / `coordinates` (the same RSA or EC/OKP key encoded
   * differently, e.g. with a leading zero byte), or `x5t#S256` (an entry without
   * key members whose certificate hash is the local certificate's).
   */
  matchedBy: 'thumbprint' | 'x5t#S256' | 'modulus' | 'coordinates';
  jwk: PublishedJwk;
}

/** The output of network.token-endpoint and network.api-endpoint. */
export interface ReachableEndpoint {
  /** The config the endpoint came from, for checks further down the graph. */
  config: ResolvedConfig;
  url: string;
  probe: ProbeResult;
  /** What connections to this host trust and present (mTLS client certificate included). */
  material: TlsMaterial;
}

/** The output of token.request. The token lives here, in memory, and is never reported. */
export interface IssuedToken {
  accessToken: string;
  tokenType?: string;
  expiresIn?: unknown;
  scope?: string;
  requestedScopes: string[];
  /** The response members other than the token itself. */
  response: Record<string, unknown>;
  /** The TLS material the token was obtained with (a bound token must be used with the same certificate). */
  material: TlsMaterial;
  /** The server Date of the token response, if any. */
  serverDate?: string;
}

/** The output of token.response. */
export interface CheckedToken {
  token: IssuedToken;
  claims?: Record<string, unknown>;
}

/** The output of clock.skew. */
export interface ClockSkew {
  skewMs: number;
  serverDate: string;
}
