/**
 * The sandbox's fault switches. Each one makes the local platform misbehave
 * in one way a real integration can meet, so users can see golive diagnose
 * it and golive's tests can prove each check against a real server.
 */
export type FaultName =
  | 'expired-signing-certificate'
  | 'key-not-in-jwks'
  | 'kid-mismatch'
  | 'audience-mismatch'
  | 'jwks-500'
  | 'jwks-html'
  | 'jwks-hang'
  | 'jwks-huge'
  | 'clock-offset'
  | 'required-region'
  | 'token-garbage'
  | 'untrusted-server-certificate'
  | 'hostname-mismatch'
  | 'mtls-cert-not-requested'
  | 'mtls-cert-required'
  | 'token-401-challenge'
  | 'reversed-chain'
  | 'self-signed-client-certificate'
  | 'public-ca-client-certificate';

/** How far ahead the sandbox clock runs under `clock-offset`: beyond the 120 s golive's assertions live and the 300 s the platform accepts. */
export const CLOCK_OFFSET_SECONDS = 600;
/** The only X-Region the API accepts under `required-region` (the configs send 0). */
export const REQUIRED_REGION = 1;
/** The assertion audience the token endpoint insists on under `audience-mismatch`, as Thredd's docs write it. */
export const DOCUMENTED_AUDIENCE = 'www.threddid.com/oauth2/token';
/** Body size of the `jwks-huge` answer: above golive's default 1 MiB JWKS limit. */
export const HUGE_JWKS_BYTES = 3 * 1024 * 1024;
/**
 * The issuer name under `public-ca-client-certificate`: the subject of
 * DigiCert Global Root G2, a root in Node's store (20, 22 and 24). The
 * sandbox makes its own CA under that name, since only DigiCert has the key:
 * certificates shaped like a public CA's, not real ones.
 */
export const PUBLIC_ROOT_SUBJECT = 'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root G2';
/**
 * Faults that each say who issued the client certificates (Thredd's CA is
 * the sandbox CA): they cannot hold together, so at most one is on.
 */
const CLIENT_ISSUER_FAULTS: readonly FaultName[] = ['reversed-chain', 'self-signed-client-certificate', 'public-ca-client-certificate'];

export const FAULTS: Record<FaultName, string> = {
  'expired-signing-certificate':
    'certs/signing.pem and its JWKS x5c become an expired certificate for the same key; private_key_jwt tokens are refused',
  'key-not-in-jwks':
    "the organisation JWKS publishes an unrelated signing key instead of the client's; private_key_jwt tokens are refused",
  'kid-mismatch':
    'the JWKS registers the signing keys under new kids, not the kid the configs name; private_key_jwt tokens are refused',
  'audience-mismatch': `the token endpoint accepts only the assertion aud "${DOCUMENTED_AUDIENCE}", not the token URL`,
  'jwks-500': 'the JWKS host answers 500 with a JSON error body',
  'jwks-html': 'the JWKS host answers 200 with an HTML page',
  'jwks-hang': 'the JWKS host accepts the request and never answers',
  'jwks-huge': `the JWKS host answers 200 with a ${HUGE_JWKS_BYTES / 1024 / 1024} MiB JSON body`,
  'clock-offset': `the servers' clock runs ${CLOCK_OFFSET_SECONDS / 60} minutes ahead: Date headers, and assertions judged by that clock`,
  'required-region': `the API accepts only X-Region ${REQUIRED_REGION} (EMEA) and answers 403 to the configs' region 0`,
  'token-garbage': 'the token endpoint answers 200 application/json with a body that is not JSON',
  'untrusted-server-certificate': 'every HTTPS listener presents a certificate from a CA outside ca.pem',
  'hostname-mismatch': 'every HTTPS listener presents a sandbox-CA certificate for sandbox.invalid only, not 127.0.0.1/localhost',
  'mtls-cert-not-requested':
    'the mTLS listeners do not ask for a client certificate: tokens cannot be bound and the mTLS API refuses them',
  'mtls-cert-required': 'the TLS listeners (token and API) demand a client certificate, as an mTLS-only host does',
  'token-401-challenge':
    'the token endpoint refuses client authentication as RFC 6749 allows over the Authorization header: 401, an empty body and only WWW-Authenticate: Basic',
  'reversed-chain':
    'the client certificates are issued by an intermediate CA, and certs/transport.pem and certs/signing.pem hold the chain intermediate first, leaf last',
  'self-signed-client-certificate':
    'certs/signing.pem and certs/transport.pem (and their JWKS x5c) become self-signed certificates for the same keys; the mTLS listeners refuse the transport certificate',
  'public-ca-client-certificate':
    'certs/signing.pem and certs/transport.pem (and their JWKS x5c) become certificates for the same keys from a CA named like the public root DigiCert Global Root G2; the mTLS listeners refuse the transport certificate',
};

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

/** Validates fault names from the command line; the error lists the known ones. */
export function parseFaults(names: readonly string[]): FaultName[] {
  const unknown = names.filter((name) => !isFaultName(name));
  if (unknown.length > 0) {
    throw new UnknownFaultError(unknown);
  }
  const faults = [...new Set(names as FaultName[])];
  const issuers = CLIENT_ISSUER_FAULTS.filter((fault) => faults.includes(fault));
  if (issuers.length > 1) throw new ConflictingFaultsError(issuers);
  return faults;
}

const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

export class UnknownFaultError extends Error {
  readonly code = 'SANDBOX_UNKNOWN_FAULT';
  constructor(readonly names: string[]) {
    super(`unknown sandbox fault ${quoted(names)}; known: ${Object.keys(FAULTS).join(', ')}`);
    this.name = 'UnknownFaultError';
  }
}

export class ConflictingFaultsError extends Error {
  readonly code = 'SANDBOX_CONFLICTING_FAULTS';
  constructor(readonly names: FaultName[]) {
    super(`sandbox faults ${quoted(names)} cannot be on together: each decides who issued the client certificates; choose one of ${quoted(CLIENT_ISSUER_FAULTS)}`);
    this.name = 'ConflictingFaultsError';
  }
}
