import { unseenCharacters } from '../config/pasted.js';
import type { ResolvedConfig } from '../config/types.js';
import type { KeyPair } from '../credentials/types.js';
import type { RegisteredKey } from '../online/types.js';
import type { CheckOutcome, Evidence, Settled } from '../pipeline/check.js';
import { findingsOf, type FindingTable } from '../pipeline/findings.js';
import { buildClientAssertion, selfCheckAssertion, type AssertionProblem, type BuiltAssertion } from './assertion.js';
import type { ClientCredentials } from './client-auth.js';
import { isoFromEpochSeconds } from './jwt.js';

/** Why token.request sends no request: the credentials could not be prepared. Part of token.request's findings. */
export function credentialFindings() {
  return {
    'empty-secret': {
      message: ({ authMethod }: { authMethod: string }) => `client.secret is empty, so a ${authMethod} client cannot authenticate.`,
      hint: () => 'Set the variable client.secret names (e.g. THREDD_CLIENT_SECRET) to the secret the portal shows for this client.',
    },
    'no-signing-key': {
      message: () => 'private_key_jwt needs a signing key and certificate, and none was loaded.',
      hint: () => 'Add the signing section (certificate, privateKey, algorithm) to the config; see signing.keypair in this report.',
    },
    'assertion-not-signed': {
      message: ({ algorithm, reason, code }: { algorithm: string; reason: string; code: string }) =>
        `golive could not sign the client assertion with ${algorithm} and the signing key: ${reason} (${code}).`,
      hint: () => 'Set signing.algorithm to one that fits the key type (RS256/PS256 for RSA, ES256 for P-256); see signing.key in this report.',
    },
    'assertion-self-check-failed': {
      message: ({ problems }: { problems: readonly AssertionProblem[] }) =>
        `The client assertion golive built fails its own check, so it was not sent: ${problems.map((problem) => problem.detail).join('; ')}.`,
      hint: () =>
        'If the signature does not verify, signing.certificate is not the certificate of signing.privateKey (see signing.keypair); otherwise this is a golive bug: report it with this report.',
    },
  } satisfies FindingTable;
}

const finding = findingsOf(credentialFindings);

/** What the report may say of a secret: its length, and where it has characters a copy brought along; never the secret. */
export interface SecretFacts {
  length: number;
  surroundingWhitespace: boolean;
  /** e.g. "ends with a line break", naming the characters without showing them. */
  unseen?: string;
}

export function secretFacts(secret: string): SecretFacts {
  const unseen = unseenCharacters(secret, { secret: true });
  return { length: secret.length, surroundingWhitespace: secret !== secret.trim(), ...(unseen !== undefined && { unseen }) };
}

export type PreparedCredentials =
  | { ok: true; credentials: ClientCredentials; assertion?: BuiltAssertion; evidence: Evidence }
  | { ok: false; outcome: CheckOutcome<never> };

/** The kid the assertion header carries (none when undefined), and where it came from, in the words of the report's `kidSource`. */
export interface AssertionKid {
  kid?: string;
  source: string;
}

/**
 * signing.kid when set; else, as DESIGN.md has it, the kid under which
 * jwks.signing-key found the key registered (kids are opaque, so it can only
 * be read from the JWKS, never derived from the key). When that check found
 * none, no kid is sent and the source says why.
 */
export function assertionKid(configured: string | undefined, registered: Settled<RegisteredKey | undefined>): AssertionKid {
  if (configured) return { kid: configured, source: 'signing.kid' };
  const none = (reason: string): AssertionKid => ({ source: `none: signing.kid is unset and ${reason}, so no kid is sent` });
  const { status, code, output } = registered;
  if (status === 'pass' || status === 'warn') {
    return output?.kid
      ? { kid: output.kid, source: 'the kid the organisation JWKS registers this key under (signing.kid is unset)' }
      : none('the JWKS registers this key without a kid');
  }
  if (status === 'fail') return none(`jwks.signing-key failed${code === undefined ? '' : ` (${code})`}`);
  return none('jwks.signing-key was skipped');
}

/** The decoded assertion as the report shows it: header and claims, never the JWS or its signature. */
function assertionEvidence(built: BuiltAssertion, config: ResolvedConfig, kidSource: string): Evidence {
  return {
    header: built.header,
    claims: built.claims,
    issuedAt: isoFromEpochSeconds(built.claims.iat),
    expiresAt: isoFromEpochSeconds(built.claims.exp),
    lifetimeSeconds: built.claims.exp - built.claims.iat,
    kidSource,
    audienceSource: config.signing?.audience ? 'signing.audience' : 'the token endpoint URL',
  };
}

export interface CredentialInput {
  config: ResolvedConfig;
  /** The signing key pair: undefined for a client_secret_* client. */
  keyPair: KeyPair | undefined;
  /** The token endpoint URL: the assertion's `aud` unless signing.audience is set. */
  url: string;
  /** How jwks.signing-key ended: the assertion's kid when signing.kid is unset (see assertionKid). */
  registered: Settled<RegisteredKey | undefined>;
  /** Milliseconds since the epoch. */
  now: number;
}

/**
 * The client credentials token.request sends: the secret, or a client
 * assertion golive has signed and read back as the platform will. What the
 * report may show of them is in `evidence`; never the secret or the JWS.
 */
export async function prepareCredentials({ config, keyPair, url, registered, now }: CredentialInput): Promise<PreparedCredentials> {
  const { client } = config;
  if (client.authMethod !== 'private_key_jwt') {
    if (!client.secret) {
      return { ok: false, outcome: finding.fail('empty-secret', { authMethod: client.authMethod }, { authMethod: client.authMethod }) };
    }
    const secret = client.secret;
    return { ok: true, credentials: { method: client.authMethod, clientId: client.id, secret }, evidence: { secret: secretFacts(secret) } };
  }
  if (!keyPair || !config.signing) {
    return { ok: false, outcome: finding.fail('no-signing-key', {}, { authMethod: client.authMethod }) };
  }
  const { signing } = config;
  const audience = signing.audience || url;
  const kid = assertionKid(signing.kid, registered);
  const built = await buildClientAssertion({ clientId: client.id, audience, algorithm: signing.algorithm, kid: kid.kid, privateKey: keyPair.key.privateKey, now });
  if (!built.ok) {
    return {
      ok: false,
      outcome: finding.fail(
        'assertion-not-signed',
        { algorithm: signing.algorithm, reason: built.reason, code: built.code },
        { authMethod: client.authMethod, algorithm: signing.algorithm, code: built.code },
      ),
    };
  }
  const problems = await selfCheckAssertion(built.value.assertion, {
    clientId: client.id,
    audience,
    algorithm: signing.algorithm,
    kid: kid.kid,
    publicKey: keyPair.certificate.certificate.publicKey,
    now,
  });
  const assertion = assertionEvidence(built.value, config, kid.source);
  if (problems.length > 0) {
    return {
      ok: false,
      outcome: {
        ...finding.fail('assertion-self-check-failed', { problems }, { authMethod: client.authMethod, assertion, selfCheck: problems }),
        secrets: [built.value.assertion],
      },
    };
  }
  return {
    ok: true,
    credentials: { method: 'private_key_jwt', clientId: client.id, assertion: built.value.assertion },
    assertion: built.value,
    evidence: { assertion: { ...assertion, selfCheck: 'passed: signature verifies with the signing certificate; iss = sub = client id; aud; jti; lifetime' } },
  };
}
