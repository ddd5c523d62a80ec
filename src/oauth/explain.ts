import type { AuthMethod, Connectivity } from '../config/types.js';
import type { RegisteredKey } from '../online/types.js';
import type { Settled } from '../pipeline/check.js';
import { THREDD } from '../profiles/thredd.js';
import { escaped, removeUnseenFrom, showValue, unseenCharacters } from '../config/pasted.js';
import type { SecretFacts } from './prepare.js';
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
  secret?: SecretFacts;
  /** The assertion sent, decoded: for private_key_jwt clients. */
  assertion?: { header: AssertionHeader; claims: AssertionClaims };
  /** Local clock minus the token host's (from the response Date), milliseconds. */
  clockSkewMs?: number;
  /** Whether golive presented a client certificate on the connection. */
  clientCertificateSent: boolean;
  /** What the report's other checks found; left out, golive knows nothing beyond the answer and what it sent. */
  known?: ReportKnowledge;
}

/**
 * How the checks token.request learns from ended: the explanation leads
 * with the causes they have not ruled out, and names only checks that ran.
 */
export interface ReportKnowledge {
  /** jwks.signing-key: whether the organisation JWKS holds the signing key, under which kid and for which alg. */
  signingKey?: Settled<RegisteredKey | undefined>;
  /** clock.skew: whether the local clock was compared with the token host's. */
  clockSkew?: Settled<unknown>;
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

function ran(settled: Settled<unknown> | undefined): boolean {
  return settled !== undefined && settled.status !== 'skip';
}

function clockFinding(skewMs: number | undefined, lifetime: number | undefined, clockChecked: boolean): Finding {
  const hint = `Synchronise this machine's clock with NTP (e.g. \`timedatectl set-ntp true\`), then rerun${clockChecked ? '; see clock.skew in this report' : ''}.`;
  if (skewMs === undefined) {
    return { cause: 'clock', verdict: 'possible', detail: 'the token host sent no Date header, so the clocks could not be compared', hint };
  }
  const seconds = Math.round(Math.abs(skewMs) / 1000);
  const serverAhead = skewMs < 0;
  if (lifetime !== undefined && serverAhead && seconds >= lifetime) {
    return {
      cause: 'clock',
      verdict: 'likely',
      detail: `the token host's clock is ${seconds} s ahead of this machine's, more than the lifetime of the assertion golive sent (${lifetime} s): by the server's clock the assertion had expired before it arrived`,
      hint,
    };
  }
  if (!serverAhead && seconds >= 60) {
    const expiresIn = seconds + (lifetime ?? 0);
    const beyond =
      lifetime !== undefined && expiresIn > THREDD.assertionMaxLifetimeSeconds
        ? `, and its exp ${expiresIn} s ahead, beyond the ${THREDD.assertionMaxLifetimeSeconds} s the platform accepts`
        : '';
    return {
      cause: 'clock',
      verdict: 'likely',
      detail: `this machine's clock is ${seconds} s ahead of the token host's: by the server's clock the assertion was issued ${seconds} s in the future${beyond}`,
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
      detail: `the aud sent, ${escaped(aud)}, is not the URL posted to, ${escaped(tokenUrl)} (${describeDifferences(differences)})`,
      hint: 'Remove signing.audience so golive sends the token URL, or set it to exactly the value the platform expects.',
    };
  }
  return {
    cause: 'aud',
    verdict: 'possible',
    detail: `the aud sent is the URL posted to, ${escaped(tokenUrl)}; a platform that expects another form refuses it (Thredd's documentation writes "${THREDD.documentedAudience}")`,
    hint: `If the platform expects its documented audience, set signing.audience to it (e.g. "${THREDD.documentedAudience}").`,
  };
}

/** Why golive does not know whether the organisation JWKS holds the signing key, and how to find out, naming only checks that ran. */
function registrationUnknown(signingKey: Settled<RegisteredKey | undefined> | undefined): { reason: string; hint: string } {
  if (signingKey?.status === 'fail') {
    return { reason: `jwks.signing-key failed${signingKey.code === undefined ? '' : ` (${signingKey.code})`}`, hint: 'See jwks.signing-key in this report.' };
  }
  // For a private_key_jwt client that got this far, the only need of jwks.signing-key that can fail is jwks.fetch.
  if (signingKey?.skipReason === 'need-failed') {
    return {
      reason: 'the organisation JWKS could not be read',
      hint: 'Fix what jwks.fetch reports in this report, or compare signing.kid with the KID the portal shows for the signing certificate.',
    };
  }
  return { reason: 'jwks.signing-key did not run', hint: 'Run `golive check --only jwks` to see whether the signing key is registered and under which kid.' };
}

const SEE_SIGNING_KEY = 'see jwks.signing-key in this report';

/** The kid sent against what jwks.signing-key found in the organisation JWKS, when it ran. */
function kidFinding(kid: string | undefined, signingKey: Settled<RegisteredKey | undefined> | undefined): Finding {
  const sent = kid === undefined ? 'no kid was sent (signing.kid is unset)' : `kid ${escaped(kid)} was sent`;
  const status = signingKey?.status;
  const code = signingKey?.code;
  const registeredUnderIt = (status === 'pass' || status === 'warn') && kid !== undefined && signingKey?.output?.kid === kid;
  // A kid the JWKS does not register it under, with characters a copy brought along: those are the cause.
  const unseen = kid === undefined || registeredUnderIt ? undefined : unseenCharacters(kid);
  if (unseen !== undefined) {
    return { cause: 'kid', verdict: 'likely', detail: `${sent}: signing.kid ${unseen}, so it names no registered key`, hint: `${removeUnseenFrom('signing.kid')}.` };
  }
  if (status === 'fail' && code === 'key-not-registered') {
    return {
      cause: 'kid',
      verdict: 'likely',
      detail: `the organisation JWKS does not hold this signing key (jwks.signing-key: key-not-registered), so the platform has no key to verify the assertion with${kid === undefined ? ', and no kid was sent' : ''}`,
      hint: `Register the signing certificate in the portal for this organisation and environment, or point signing.privateKey at the registered key: ${SEE_SIGNING_KEY}.`,
    };
  }
  if (status === 'fail' && code === 'kid-mismatch') {
    return {
      cause: 'kid',
      verdict: 'likely',
      detail: `${sent}, but the organisation JWKS registers this signing key under another kid (jwks.signing-key: kid-mismatch)`,
      hint: 'Set signing.kid to the kid jwks.signing-key reports for this key, or remove signing.kid so golive sends it.',
    };
  }
  if (status === 'fail' && (code === 'use-not-sig' || code === 'key-ops-without-verify')) {
    return {
      cause: 'kid',
      verdict: 'likely',
      detail: `the organisation JWKS registers this signing key, but not for signatures (jwks.signing-key: ${code})`,
      hint: `Register the signing certificate as a signing key (use "sig") in the portal: ${SEE_SIGNING_KEY}.`,
    };
  }
  if ((status === 'pass' || status === 'warn') && signingKey?.output !== undefined) {
    const registered = signingKey.output;
    if (code === 'registered-certificate-expired') {
      return {
        cause: 'kid',
        verdict: 'likely',
        detail: `the organisation JWKS registers this signing key${registered.kid === undefined ? '' : ` under kid ${escaped(registered.kid)}`} with a certificate that has expired (jwks.signing-key: registered-certificate-expired): a platform that checks the registered certificate refuses the assertion`,
        hint: `Upload the current signing certificate in the portal: ${SEE_SIGNING_KEY}.`,
      };
    }
    if (kid === undefined) {
      return {
        cause: 'kid',
        verdict: 'likely',
        detail: 'no kid was sent: the organisation JWKS registers this signing key without a kid, so the platform cannot pick it by the assertion header',
        hint: `Re-register the signing certificate in the portal so the JWKS lists it under a kid: ${SEE_SIGNING_KEY}.`,
      };
    }
    if (registeredUnderIt) {
      return {
        cause: 'kid',
        verdict: 'ruled out',
        detail: `the organisation JWKS registers this signing key under kid ${escaped(kid)}, the kid sent (jwks.signing-key)`,
        hint: `Nothing to change for the kid: ${SEE_SIGNING_KEY}.`,
      };
    }
  }
  const unknown = registrationUnknown(signingKey);
  if (kid === undefined) {
    return {
      cause: 'kid',
      verdict: 'likely',
      detail: `no kid was sent (signing.kid is unset), so the platform must guess which registered key verifies the assertion; which kid the organisation JWKS registers this key under is not known (${unknown.reason})`,
      hint: `Set signing.kid to the KID the portal shows for the signing certificate. ${unknown.hint}`,
    };
  }
  return {
    cause: 'kid',
    verdict: 'possible',
    detail: `${sent}; whether the organisation JWKS holds this signing key under it is not known (${unknown.reason})`,
    hint: unknown.hint,
  };
}

/** The algorithm the assertion is signed with against the one the JWKS registers the key for, when it names one. */
function algFinding(alg: string, signingKey: Settled<RegisteredKey | undefined> | undefined): Finding {
  const registered = signingKey?.status === 'pass' || signingKey?.status === 'warn' ? signingKey.output?.alg : undefined;
  if (registered !== undefined && registered !== alg) {
    return {
      cause: 'alg',
      verdict: 'likely',
      detail: `the assertion is signed with ${alg}, but the organisation JWKS registers this key for ${registered} (jwks.signing-key: alg-mismatch)`,
      hint: `Set signing.algorithm to ${registered}, or register the key for ${alg} in the portal.`,
    };
  }
  if (registered === alg) {
    return { cause: 'alg', verdict: 'ruled out', detail: `the assertion is signed with ${alg}, the alg the organisation JWKS registers this key for`, hint: 'Nothing to change for the algorithm.' };
  }
  return {
    cause: 'alg',
    verdict: 'possible',
    detail: `the assertion is signed with ${alg}: the platform refuses an algorithm other than the one registered for the client`,
    hint: 'Set signing.algorithm to the algorithm the client is registered for (e.g. PS256 rather than RS256).',
  };
}

function clientIdFinding(clientId: string): Finding {
  const hint = 'Copy client.id from the portal exactly as shown (UUID or URL form); golive compares it as an exact string.';
  const unseen = unseenCharacters(clientId);
  if (unseen !== undefined) {
    return {
      cause: 'client id',
      verdict: 'likely',
      detail: `${showValue('client.id', clientId)} ${unseen}: the platform compares client ids exactly`,
      hint: `${removeUnseenFrom('client.id')}; copy the client id from the portal exactly as shown (UUID or URL form).`,
    };
  }
  const uuid = UUID.exec(clientId)?.[0];
  if (uuid === undefined) {
    return { cause: 'client id', verdict: 'possible', detail: `the client id ${escaped(clientId)} is neither a UUID nor a URL ending in one, as Thredd client ids are`, hint };
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
    detail: `the client id is a URL form, ${escaped(clientId)}: if the client is registered as the bare UUID "${uuid}", that is the id to send`,
    hint,
  };
}

function privateKeyJwtFindings(input: TokenErrorInput): Finding[] {
  const { header, claims } = input.assertion!;
  const lifetime = claims.exp - claims.iat;
  const max = THREDD.assertionMaxLifetimeSeconds;
  const signingKey = input.known?.signingKey;
  return [
    clockFinding(input.clockSkewMs, lifetime, ran(input.known?.clockSkew)),
    audienceFinding(claims.aud, input.tokenUrl),
    kidFinding(header.kid, signingKey),
    algFinding(header.alg, signingKey),
    clientIdFinding(input.clientId),
    {
      cause: 'lifetime',
      verdict: lifetime > 0 && lifetime <= max ? 'ruled out' : 'likely',
      detail: `the assertion golive sent lives ${lifetime} s (exp − iat); the platform accepts at most ${max} s`,
      hint: `The assertion must live at most ${max} s (exp − iat).`,
    },
  ];
}

function secretFindings(input: TokenErrorInput): Finding[] {
  const other = input.authMethod === 'client_secret_basic' ? 'client_secret_post' : 'client_secret_basic';
  const length = input.secret?.length ?? 0;
  const unseen = input.secret?.unseen;
  const secret: Finding =
    unseen === undefined
      ? {
          cause: 'secret',
          verdict: 'likely',
          detail: `the secret sent (${length} characters) is not the one the platform holds for this client: from another environment, rotated, or mistyped`,
          hint: 'Copy the client secret of this environment from the portal into the variable client.secret names (rotate it if unsure).',
        }
      : { cause: 'secret', verdict: 'likely', detail: `client.secret (${length} characters) ${unseen}, most likely copied with it`, hint: `${removeUnseenFrom('client.secret')}.` };
  return [
    secret,
    {
      cause: 'method',
      verdict: 'possible',
      detail: `the secret was sent as ${input.authMethod}: a client registered for ${other} is refused`,
      hint: `If the portal registers the client for ${other}, set client.authMethod: ${other}.`,
    },
    clientIdFinding(input.clientId),
  ];
}

/** After the aud to set, what else to compare with the registration when nothing golive knows explains a refusal. */
const THEN_REGISTRATION = `(Thredd's documentation writes "${THREDD.documentedAudience}"), then check that signing.algorithm and client.id are exactly as registered.`;

function explainAssertionRefused(input: TokenErrorInput, assertion: NonNullable<TokenErrorInput['assertion']>): ExplainedTokenError {
  const findings = privateKeyJwtFindings(input).sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict]);
  const { aud } = assertion.claims;
  const kid = assertion.header.kid;
  const lead = findings.find((finding) => finding.verdict === 'likely');
  const beside = `aud sent ${escaped(aud)}, posted to ${escaped(input.tokenUrl)}`;
  if (lead) {
    return {
      message: `The token endpoint refused the client assertion (${said(input)}): ${lead.detail} (${beside}).`,
      hint: lead.hint,
      findings,
    };
  }
  // Nothing likely: the kid (when the report has not ruled it out) and the aud are what golive cannot check by itself.
  const ruledOut = findings.filter((finding) => finding.verdict === 'ruled out' && finding.cause !== 'kid').map((finding) => finding.cause);
  const passes = `though it passes golive's own checks (signature, iss = sub = client id${ruledOut.map((cause) => `, ${cause}`).join('')})`;
  const kidFound = findings.find((finding) => finding.cause === 'kid')!;
  if (kidFound.verdict === 'ruled out') {
    return {
      message: `The token endpoint refused the client assertion (${said(input)}), ${passes} and the organisation JWKS registers the signing key under the kid sent (${escaped(kid!)}): most likely the platform expects another aud (${beside}).`,
      hint: `Set signing.audience to the aud the platform expects ${THEN_REGISTRATION}`,
      findings,
    };
  }
  const unknown = registrationUnknown(input.known?.signingKey);
  return {
    message:
      `The token endpoint refused the client assertion (${said(input)}), ${passes}: ` +
      `most likely the platform does not hold this signing key under kid ${escaped(kid!)} (${unknown.reason}), or expects another aud (${beside}).`,
    hint: `${unknown.hint.replace(/\.$/, '')}; if it is under the kid sent, the platform likely expects another aud: set signing.audience to it ${THEN_REGISTRATION}`,
    findings,
  };
}

/** Characters a copy brought along in the secret or the client id: the cause golive can name for sure. */
function pastedCredential(input: TokenErrorInput): Finding | undefined {
  if (input.secret?.unseen !== undefined) return secretFindings(input)[0];
  const clientId = clientIdFinding(input.clientId);
  return clientId.verdict === 'likely' ? clientId : undefined;
}

function explainInvalidClient(input: TokenErrorInput): ExplainedTokenError {
  if (input.authMethod === 'private_key_jwt' && input.assertion) return explainAssertionRefused(input, input.assertion);
  const findings = secretFindings(input);
  const pasted = pastedCredential(input);
  if (pasted) return { message: `The token endpoint refused the client credentials (${said(input)}): ${pasted.detail}.`, hint: pasted.hint, findings };
  const other = input.authMethod === 'client_secret_basic' ? 'client_secret_post' : 'client_secret_basic';
  return {
    message:
      `The token endpoint refused the client credentials (${said(input)}): the secret (${input.secret?.length ?? 0} characters) is not the one it holds for client ${escaped(input.clientId)}, ` +
      `the client id is unknown there, or the client is registered for ${other} rather than ${input.authMethod}.`,
    hint: `${findings[0]!.hint} If the secret is right, try client.authMethod: ${other}.`,
    findings,
  };
}

function mentionsCertificate(input: TokenErrorInput): boolean {
  return /certificate|mtls|mutual|tls|x5t|cnf/i.test(input.description ?? '');
}

/** invalid_request without a pasted value to blame: what the platform could not read, from its description. */
function invalidRequest(input: TokenErrorInput): ExplainedTokenError {
  return {
    message: `The token endpoint rejected the request as malformed (${said(input)}).`,
    hint:
      input.authMethod === 'private_key_jwt' && /assertion|jwt/i.test(input.description ?? '')
        ? 'The platform could not read the client assertion: compare its decoded header and claims in the evidence with the platform\'s requirements.'
        : input.authMethod === 'client_secret_basic' && /authorization|header|character/i.test(input.description ?? '')
          ? 'The platform could not read the Basic credentials: check that client.id and the secret hold only printable ASCII characters.'
          : 'Read the error_description above; check client.authMethod against the portal, and that nothing between golive and the platform rewrites the request.',
  };
}

/** Explanation per OAuth error code; an unknown code gets the generic one. */
const EXPLAIN: Record<OAuthErrorCode, (input: TokenErrorInput) => ExplainedTokenError> = {
  invalid_client: explainInvalidClient,
  invalid_request: (input) => {
    const pasted = pastedCredential(input);
    if (pasted) return { message: `The token endpoint rejected the request as malformed (${said(input)}): ${pasted.detail}.`, hint: pasted.hint };
    return invalidRequest(input);
  },
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
    message: `The client ${escaped(input.clientId)} is not allowed to use this grant or authentication method (${said(input)}).`,
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
