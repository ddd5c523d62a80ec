import type { AuthMethod, Connectivity } from '../config/types.js';
import { THREDD } from '../profiles/thredd.js';
import type { AssertionClaims, AssertionHeader } from './assertion.js';
import { audienceDifferences, describeDifferences } from './audience.js';

/**
 * Explains an OAuth error from the token endpoint. Platforms hide the cause
 * (oidc-provider answers every invalid_client with "client authentication
 * failed"), so the explanation rests on golive's own evidence: what it sent,
 * and the server's clock from the response `Date`.
 */
export interface TokenErrorInput {
  error: string;
  description?: string;
  authMethod: AuthMethod;
  connectivity: Connectivity;
  clientId: string;
  /** The URL the request was posted to. */
  tokenUrl: string;
  scopes: readonly string[];
  /** Facts about the secret (never the secret): for client_secret_* clients. */
  secret?: { length: number; surroundingWhitespace: boolean };
  /** The assertion sent, decoded: for private_key_jwt clients. */
  assertion?: { header: AssertionHeader; claims: AssertionClaims };
  /** Local clock minus the token host's (from the response Date), milliseconds. */
  clockSkewMs?: number;
  /** Whether golive presented a client certificate on the connection. */
  clientCertificateSent: boolean;
}

export type Verdict = 'likely' | 'possible' | 'ruled out';

/** One cause golive considered, and what its evidence says about it. */
export interface Finding {
  cause: 'clock' | 'aud' | 'kid' | 'alg' | 'client id' | 'lifetime' | 'secret' | 'method';
  verdict: Verdict;
  detail: string;
  hint: string;
}

export interface ExplainedTokenError {
  message: string;
  hint: string;
  /** For invalid_client: every cause considered, likely ones first. */
  findings?: Finding[];
}

export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const ORDER: Record<Verdict, number> = { likely: 0, possible: 1, 'ruled out': 2 };

function said(input: TokenErrorInput): string {
  return `${input.error}${input.description ? `: "${input.description}"` : ''}`;
}

function clockFinding(skewMs: number | undefined, lifetime: number | undefined): Finding {
  const hint = 'Synchronise this machine\'s clock with NTP (e.g. `timedatectl set-ntp true`), then rerun; see clock.skew in this report.';
  if (skewMs === undefined) {
    return { cause: 'clock', verdict: 'possible', detail: 'the token host sent no Date header, so the clocks could not be compared', hint };
  }
  const seconds = Math.round(Math.abs(skewMs) / 1000);
  const serverAhead = skewMs < 0;
  if (lifetime !== undefined && serverAhead && seconds >= lifetime) {
    return {
      cause: 'clock',
      verdict: 'likely',
      detail: `the token host's clock is ${seconds} s ahead of this machine's, more than the assertion's ${lifetime} s lifetime: by the server's clock the assertion had expired before it arrived`,
      hint,
    };
  }
  if (!serverAhead && seconds >= 60) {
    return {
      cause: 'clock',
      verdict: 'likely',
      detail: `this machine's clock is ${seconds} s ahead of the token host's: by the server's clock the assertion was issued in the future`,
      hint,
    };
  }
  if (seconds > 30) {
    return { cause: 'clock', verdict: 'possible', detail: `the clocks differ by ${seconds} s (server ${serverAhead ? 'ahead' : 'behind'})`, hint };
  }
  return { cause: 'clock', verdict: 'ruled out', detail: `the clocks agree within ${Math.max(1, seconds)} s`, hint };
}

function audienceFinding(aud: string, tokenUrl: string): Finding {
  const differences = audienceDifferences(aud, tokenUrl);
  if (differences.length > 0) {
    return {
      cause: 'aud',
      verdict: 'likely',
      detail: `the aud sent, "${aud}", is not the URL posted to, "${tokenUrl}" (${describeDifferences(differences)})`,
      hint: 'Remove signing.audience so golive sends the token URL, or set it to exactly the value the platform expects.',
    };
  }
  return {
    cause: 'aud',
    verdict: 'possible',
    detail: `the aud sent is the URL posted to, "${tokenUrl}"; a platform that expects another form refuses it (Thredd's documentation writes "${THREDD.documentedAudience}")`,
    hint: `If the platform expects its documented audience, set signing.audience to it (e.g. "${THREDD.documentedAudience}").`,
  };
}

function kidFinding(kid: string | undefined): Finding {
  if (kid === undefined) {
    return {
      cause: 'kid',
      verdict: 'likely',
      detail: 'no kid was sent (signing.kid is unset), so the platform must guess which registered key verifies the assertion',
      hint: 'Set signing.kid to the kid under which the JWKS registers the signing key: see jwks.signing-key in this report.',
    };
  }
  return {
    cause: 'kid',
    verdict: 'possible',
    detail: `kid "${kid}" was sent: if the organisation JWKS does not register this signing key under that kid (or at all), the platform has no key to verify with`,
    hint: 'See jwks.signing-key in this report: register the signing certificate in the portal, and set signing.kid to the kid it is registered under.',
  };
}

function clientIdFinding(clientId: string): Finding {
  const hint = 'Copy client.id from the portal exactly as shown (UUID or URL form); golive compares it as an exact string.';
  if (clientId !== clientId.trim()) {
    return { cause: 'client id', verdict: 'likely', detail: `the client id ${JSON.stringify(clientId)} has surrounding whitespace`, hint };
  }
  const uuid = UUID.exec(clientId)?.[0];
  if (uuid === undefined) {
    return { cause: 'client id', verdict: 'possible', detail: `the client id "${clientId}" is neither a UUID nor a URL ending in one, as Thredd client ids are`, hint };
  }
  if (uuid === clientId) {
    return {
      cause: 'client id',
      verdict: 'possible',
      detail: `the client id is the bare UUID "${clientId}": if the client is registered under a URL form ending in it, that is the id to send`,
      hint,
    };
  }
  return {
    cause: 'client id',
    verdict: 'possible',
    detail: `the client id is a URL form, "${clientId}": if the client is registered as the bare UUID "${uuid}", that is the id to send`,
    hint,
  };
}

function privateKeyJwtFindings(input: TokenErrorInput): Finding[] {
  const { header, claims } = input.assertion!;
  const lifetime = claims.exp - claims.iat;
  return [
    clockFinding(input.clockSkewMs, lifetime),
    audienceFinding(claims.aud, input.tokenUrl),
    kidFinding(header.kid),
    {
      cause: 'alg',
      verdict: 'possible',
      detail: `the assertion is signed with ${header.alg}: the platform refuses an algorithm other than the one registered for the client`,
      hint: 'Set signing.algorithm to the algorithm the client is registered for (e.g. PS256 rather than RS256).',
    },
    clientIdFinding(input.clientId),
    {
      cause: 'lifetime',
      verdict: lifetime > 0 && lifetime <= THREDD.assertionMaxLifetimeSeconds ? 'ruled out' : 'likely',
      detail: `exp − iat is ${lifetime} s (limit ${THREDD.assertionMaxLifetimeSeconds} s) and iss = sub = the client id`,
      hint: `The assertion must live at most ${THREDD.assertionMaxLifetimeSeconds} s.`,
    },
  ];
}

function secretFindings(input: TokenErrorInput): Finding[] {
  const other = input.authMethod === 'client_secret_basic' ? 'client_secret_post' : 'client_secret_basic';
  const secret = input.secret;
  const findings: Finding[] = [];
  if (secret?.surroundingWhitespace) {
    findings.push({
      cause: 'secret',
      verdict: 'likely',
      detail: `the secret (${secret.length} characters) starts or ends with whitespace, most likely copied with it`,
      hint: 'Remove the surrounding whitespace from the secret variable (check quotes and line ends in the env file).',
    });
  } else {
    findings.push({
      cause: 'secret',
      verdict: 'likely',
      detail: `the secret sent (${secret?.length ?? 0} characters) is not the one the platform holds for this client: from another environment, rotated, or mistyped`,
      hint: 'Copy the client secret of this environment from the portal into the variable client.secret names (rotate it if unsure).',
    });
  }
  findings.push(
    {
      cause: 'method',
      verdict: 'possible',
      detail: `the secret was sent as ${input.authMethod}: a client registered for ${other} is refused`,
      hint: `If the portal registers the client for ${other}, set client.authMethod: ${other}.`,
    },
    clientIdFinding(input.clientId),
  );
  return findings;
}

function explainInvalidClient(input: TokenErrorInput): ExplainedTokenError {
  if (input.authMethod === 'private_key_jwt' && input.assertion) {
    const findings = privateKeyJwtFindings(input).sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict]);
    const { aud } = input.assertion.claims;
    const kid = input.assertion.header.kid;
    const lead = findings.find((finding) => finding.verdict === 'likely');
    const beside = `aud sent "${aud}", posted to "${input.tokenUrl}"`;
    if (lead) {
      return {
        message: `The token endpoint refused the client assertion (${said(input)}): ${lead.detail} (${beside}).`,
        hint: lead.hint,
        findings,
      };
    }
    const ruledOut = findings.filter((finding) => finding.verdict === 'ruled out').map((finding) => finding.cause);
    return {
      message:
        `The token endpoint refused the client assertion (${said(input)}), though it passes golive's own checks (signature, iss = sub = client id${ruledOut.map((cause) => `, ${cause}`).join('')}): ` +
        `most likely the platform does not hold this signing key under kid "${kid}", or expects another aud (${beside}).`,
      hint:
        'See jwks.signing-key in this report for whether the key is registered and under which kid; ' +
        `if it is, the platform likely expects another aud: set signing.audience to it (Thredd's documentation writes "${THREDD.documentedAudience}"), ` +
        'then check that signing.algorithm and client.id are exactly as registered.',
      findings,
    };
  }
  const findings = secretFindings(input);
  const other = input.authMethod === 'client_secret_basic' ? 'client_secret_post' : 'client_secret_basic';
  return {
    message:
      `The token endpoint refused the client credentials (${said(input)}): the secret (${input.secret?.length ?? 0} characters) is not the one it holds for client "${input.clientId}", ` +
      `the client id is unknown there, or the client is registered for ${other} rather than ${input.authMethod}.`,
    hint: `${findings[0]!.hint} If the secret is right, try client.authMethod: ${other}.`,
    findings,
  };
}

function mentionsCertificate(input: TokenErrorInput): boolean {
  return /certificate|mtls|mutual|tls|x5t|cnf/i.test(input.description ?? '');
}

/** Explanation per OAuth error code; an unknown code gets the generic one. */
const EXPLAIN: Record<OAuthErrorCode, (input: TokenErrorInput) => ExplainedTokenError> = {
  invalid_client: explainInvalidClient,
  invalid_request: (input) => ({
    message: `The token endpoint rejected the request as malformed (${said(input)}).`,
    hint:
      input.authMethod === 'private_key_jwt' && /assertion|jwt/i.test(input.description ?? '')
        ? 'The platform could not read the client assertion: compare its decoded header and claims in the evidence with the platform\'s requirements.'
        : input.authMethod === 'client_secret_basic' && /authorization|header|character/i.test(input.description ?? '')
          ? 'The platform could not read the Basic credentials: check that client.id and the secret hold only printable ASCII characters.'
          : 'Read the error_description above; check client.authMethod against the portal, and that nothing between golive and the platform rewrites the request.',
  }),
  invalid_grant: (input) =>
    input.connectivity === 'mtls' || mentionsCertificate(input)
      ? {
          message:
            `The token endpoint refused the grant (${said(input)}): the client is registered for certificate-bound tokens and the token endpoint did not see a client certificate` +
            (input.clientCertificateSent
              ? '; golive presented the transport certificate, so the server did not ask for it or something in between (a TLS-terminating proxy or load balancer) removed it.'
              : input.connectivity === 'mtls'
                ? '; golive had no transport certificate to present (see transport.key and transport.certificate).'
                : ', because this config uses TLS without one.'),
          hint:
            input.connectivity === 'mtls'
              ? 'Check that endpoints.token is the platform\'s mTLS token endpoint (the host that requests the client certificate) and that no TLS-terminating proxy sits in between.'
              : 'Set connectivity: mtls with a transport section, and use the mTLS token and API hosts.',
        }
      : {
          message: `The token endpoint refused the grant (${said(input)}).`,
          hint: 'The client credentials grant has no code or refresh token to be invalid: read error_description, and ask Thredd support with the report if it does not say why.',
        },
  unauthorized_client: (input) => ({
    message: `The client "${input.clientId}" is not allowed to use this grant or authentication method (${said(input)}).`,
    hint: `Ask for the client credentials grant to be enabled for the client in the portal, and check that it is registered for ${input.authMethod}.`,
  }),
  unsupported_grant_type: (input) => ({
    message: `The token endpoint ${input.tokenUrl} does not support the client_credentials grant (${said(input)}).`,
    hint: `Check endpoints.token: it must be the OAuth2 token endpoint of the platform (Thredd: ${THREDD.tokenEndpoint}).`,
  }),
  invalid_scope: (input) => ({
    message:
      input.scopes.length > 0
        ? `The token endpoint refused the requested scopes ${input.scopes.map((scope) => `"${scope}"`).join(', ')} (${said(input)}).`
        : `The token endpoint refused the scope (${said(input)}), although golive requested none: the client may need a scope to be requested.`,
    hint:
      input.scopes.length > 0
        ? 'Remove from client.scopes the scopes the client is not granted, or ask for them to be granted in the portal.'
        : 'Add the scopes the client is granted to client.scopes.',
  }),
};

function isKnownCode(code: string): code is OAuthErrorCode {
  return (OAUTH_ERROR_CODES as readonly string[]).includes(code);
}

/** token.request's finding code for an OAuth error answer, by the standard error code (RFC 6749 §5.2). */
const FINDING_CODES = {
  invalid_request: 'oauth-invalid-request',
  invalid_client: 'oauth-invalid-client',
  invalid_grant: 'oauth-invalid-grant',
  unauthorized_client: 'oauth-unauthorized-client',
  unsupported_grant_type: 'oauth-unsupported-grant-type',
  invalid_scope: 'oauth-invalid-scope',
} as const satisfies Record<OAuthErrorCode, `oauth-${string}`>;

export type OAuthFindingCode = (typeof FINDING_CODES)[OAuthErrorCode] | 'oauth-error';

/**
 * The finding code of an OAuth error answer: `oauth-` and the standard error
 * code, hyphenated; any other error string (the platform's own, or garbage)
 * is `oauth-error`, its value in the evidence.
 */
export function oauthFindingCode(error: string): OAuthFindingCode {
  return isKnownCode(error) ? FINDING_CODES[error] : 'oauth-error';
}

export function explainTokenError(input: TokenErrorInput): ExplainedTokenError {
  if (isKnownCode(input.error)) return EXPLAIN[input.error](input);
  return {
    message: `The token endpoint refused the request with the OAuth error ${said(input)}.`,
    hint: 'Read error_description; if it does not say what to change, send this report to Thredd support.',
  };
}
