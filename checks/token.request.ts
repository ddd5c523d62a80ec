import { defineCheck, fail, pass, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import { stepTimeout, type RunContext } from '../src/pipeline/context.js';
import type { ResolvedConfig } from '../src/config/types.js';
import type { KeyPair } from '../src/credentials/types.js';
import { HttpFailure, type HttpResponse } from '../src/net/http.js';
import { proxyAdvice } from '../src/net/proxy.js';
import type { IssuedToken, ReachableEndpoint } from '../src/online/types.js';
import { parseThreddError, TRACE_HEADERS } from '../src/online/thredd-errors.js';
import { buildClientAssertion, selfCheckAssertion, type BuiltAssertion } from '../src/oauth/assertion.js';
import { buildTokenRequest, describeAuthMethod, type ClientCredentials } from '../src/oauth/client-auth.js';
import { explainTokenError } from '../src/oauth/explain.js';
import { registeredKidFor } from '../src/jwks/registered-kid.js';
import { isoFromEpochSeconds } from '../src/oauth/jwt.js';
import { parseTokenAnswer, type TokenAnswer } from '../src/oauth/token-response.js';
import { redactAnswer, Redactor } from '../src/redact.js';
import networkTokenEndpoint from './network.token-endpoint.js';
import signingKeypair from './signing.keypair.js';
import { TOKEN_URL, ASSERTION_MINUTES } from './docs.js';
import { THREDD } from '../src/profiles/thredd.js';

/** Token responses are small JSON documents; more is not read. */
const MAX_TOKEN_RESPONSE_BYTES = 262_144;

type Prepared =
  | { ok: true; credentials: ClientCredentials; assertion?: BuiltAssertion; evidence: Evidence }
  | { ok: false; outcome: CheckOutcome<never> };

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

async function prepareCredentials(ctx: RunContext, config: ResolvedConfig, keyPair: KeyPair | undefined, url: string): Promise<Prepared> {
  const { client } = config;
  if (client.authMethod !== 'private_key_jwt') {
    if (!client.secret) {
      return {
        ok: false,
        outcome: fail({
          message: `client.secret is empty, so a ${client.authMethod} client cannot authenticate.`,
          hint: 'Set the variable client.secret names (e.g. THREDD_CLIENT_SECRET) to the secret the portal shows for this client.',
          evidence: { authMethod: client.authMethod },
        }),
      };
    }
    const secret = client.secret;
    return {
      ok: true,
      credentials: { method: client.authMethod, clientId: client.id, secret },
      evidence: { secret: { length: secret.length, surroundingWhitespace: secret !== secret.trim() } },
    };
  }
  if (!keyPair || !config.signing) {
    return {
      ok: false,
      outcome: fail({
        message: 'private_key_jwt needs a signing key and certificate, and none was loaded.',
        hint: 'Add the signing section (certificate, privateKey, algorithm) to the config; see signing.keypair in this report.',
        evidence: { authMethod: client.authMethod },
      }),
    };
  }
  const { signing } = config;
  const audience = signing.audience || url;
  // DESIGN.md: without signing.kid, the kid is the one the JWKS registers this key under.
  const lookup = signing.kid ? undefined : await registeredKidFor(ctx.http, config, keyPair, stepTimeout(ctx, config));
  const kid = signing.kid || lookup?.kid;
  const kidSource = signing.kid
    ? 'signing.kid'
    : lookup?.source === 'jwks'
      ? 'the kid the organisation JWKS registers this key under (signing.kid is unset)'
      : `none: signing.kid is unset and ${lookup && 'reason' in lookup ? lookup.reason : 'no kid was found'}, so no kid is sent`;
  const now = ctx.now();
  const built = await buildClientAssertion({ clientId: client.id, audience, algorithm: signing.algorithm, kid, privateKey: keyPair.key.privateKey, now });
  if (!built.ok) {
    return {
      ok: false,
      outcome: fail({
        message: `golive could not sign the client assertion with ${signing.algorithm} and the signing key: ${built.reason} (${built.code}).`,
        hint: 'Set signing.algorithm to one that fits the key type (RS256/PS256 for RSA, ES256 for P-256); see signing.key in this report.',
        evidence: { authMethod: client.authMethod, algorithm: signing.algorithm, code: built.code },
      }),
    };
  }
  const problems = await selfCheckAssertion(built.value.assertion, {
    clientId: client.id,
    audience,
    algorithm: signing.algorithm,
    kid,
    publicKey: keyPair.certificate.certificate.publicKey,
    now,
  });
  const assertion = assertionEvidence(built.value, config, kidSource);
  if (problems.length > 0) {
    return {
      ok: false,
      outcome: {
        ...fail({
          message: `The client assertion golive built fails its own check, so it was not sent: ${problems.map((problem) => problem.detail).join('; ')}.`,
          hint: 'If the signature does not verify, signing.certificate is not the certificate of signing.privateKey (see signing.keypair); otherwise this is a golive bug: report it with this report.',
          evidence: { authMethod: client.authMethod, assertion, selfCheck: problems },
        }),
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

function networkFailure(error: HttpFailure, url: string, timeoutMs: number, evidence: Evidence, env: RunContext['env']): CheckOutcome<never> {
  const { failure } = error;
  const timedOut = failure.layer === 'timeout';
  // Through a proxy, the proxy is the first suspect: the layer probe went through it moments ago.
  const viaProxy = failure.proxy === undefined ? undefined : proxyAdvice(new URL(url), env);
  return fail({
    message: timedOut
      ? `The token request to ${url} timed out: ${failure.reason} (${failure.code}).`
      : `The token request to ${url} failed at the ${failure.layer} layer: ${failure.reason} (${failure.code}).`,
    hint:
      viaProxy ??
      (timedOut
        ? 'The token host is slow or a middlebox holds the request: retry, raise --timeout, and if it persists send this report to Thredd support.'
        : failure.layer === 'tls-client-certificate'
          ? 'The token host refused the client certificate on the token request: check transport.certificate (see network.token-endpoint).'
          : 'The connection worked for network.token-endpoint but failed for the token request: retry, and check proxies and firewalls between this machine and the token host.'),
    evidence: {
      ...evidence,
      layer: failure.layer,
      code: failure.code,
      ...(failure.step !== undefined && { step: failure.step }),
      ...(failure.proxy !== undefined && { proxy: failure.proxy }),
      ...(failure.alert !== undefined && { tlsAlert: failure.alert }),
      elapsedMs: error.elapsedMs,
    },
  });
}

function responseEvidence(response: HttpResponse, ctx: RunContext): Evidence {
  const date = response.headers.date;
  const server = date ? Date.parse(date) : Number.NaN;
  const thredd = parseThreddError(response.body, response.headers['content-type']);
  const traceHeaders = Object.fromEntries(TRACE_HEADERS.flatMap((name) => (response.headers[name] ? [[name, response.headers[name]]] : [])));
  return {
    status: response.status,
    ...(response.headers['content-type'] && { contentType: response.headers['content-type'] }),
    bytes: response.bytesRead,
    timings: response.timings,
    serverDate: date ?? null,
    ...(!Number.isNaN(server) && { clockSkewMs: ctx.now() - server }),
    ...(Object.keys(traceHeaders).length > 0 && { requestIds: traceHeaders }),
    ...(thredd?.traceId && { traceId: thredd.traceId }),
    ...(response.headers['www-authenticate'] && { wwwAuthenticate: response.headers['www-authenticate'] }),
  };
}

function explainAnswer(answer: Exclude<TokenAnswer, { kind: 'token' }>, url: string, response: HttpResponse): { message: string; hint: string } {
  const status = answer.status;
  if (answer.kind === 'not-json') {
    const what = `${answer.contentType ?? 'no content type'}, ${answer.bytes} bytes${answer.preview ? `, starting "${answer.preview}"` : ''}`;
    if (answer.formEncoded) {
      return {
        message: `The token endpoint answered ${status} with a form-encoded body instead of JSON (${answer.contentType ?? 'no content type'}).`,
        hint: 'RFC 6749 token responses are JSON: check that endpoints.token is the platform\'s OAuth2 token endpoint.',
      };
    }
    if (status >= 200 && status < 300) {
      return {
        message: `The token endpoint answered ${status} but the body is not JSON (${what}): something other than the authorization server answered.`,
        hint: 'A proxy or gateway in between most likely answered in its place: check endpoints.token and any proxy (HTTPS_PROXY); if it persists, send this report to Thredd support.',
      };
    }
    if (status >= 300 && status < 400) {
      return {
        message: `The token endpoint answered ${status}, a redirect to ${response.headers.location ?? '(no Location)'}; golive does not send credentials on to a redirect target.`,
        hint: 'Set endpoints.token to the final token endpoint URL.',
      };
    }
    return status >= 500
      ? {
          message: `The token endpoint answered ${status} (${what}): the platform failed to handle the request.`,
          hint: 'This is on the platform\'s side: retry later, and if it persists send this report (with its request id) to Thredd support.',
        }
      : {
          message: `The token endpoint answered ${status} without an OAuth error body (${what}).`,
          hint: `Check endpoints.token (${url}): a ${status} with a non-JSON body usually comes from a wrong path or host, or a proxy.`,
        };
  }
  if (answer.kind === 'no-access-token') {
    return {
      message: `The token endpoint answered ${status} with JSON, but ${answer.reason} (members: ${answer.memberNames.join(', ') || 'none'}).`,
      hint: 'Check that endpoints.token is the platform\'s OAuth2 token endpoint and that nothing in between rewrites the response.',
    };
  }
  // http-error: JSON without an OAuth `error`.
  return status >= 500
    ? {
        message: `The token endpoint answered ${status}: the platform failed to handle the request.`,
        hint: 'This is on the platform\'s side: retry later, and if it persists send this report (with its traceId) to Thredd support.',
      }
    : {
        message: `The token endpoint answered ${status} with JSON that is not an OAuth error (no "error" member).`,
        hint: `Check endpoints.token (${url}): it must be the OAuth2 token endpoint, not an API path.`,
      };
}

export default defineCheck({
  id: 'token.request',
  title: 'Token issued',
  needs: [networkTokenEndpoint, signingKeypair],
  online: true,
  explain: {
    verifies: `A token request (client credentials grant) to the token endpoint (default ${TOKEN_URL}) succeeds with the configured client authentication: \`client_secret_post\`, \`client_secret_basic\` or \`private_key_jwt\`, over TLS or mTLS. An OAuth error is explained; for \`invalid_client\` with private_key_jwt the assertion is checked: \`aud\` (shown beside the URL posted to), \`iss\` = \`sub\` = client id, \`kid\`, \`alg\`, and a lifetime of at most ${ASSERTION_MINUTES} minutes. Needs network.token-endpoint, and signing.keypair for private_key_jwt or \`client.secret\` for client_secret_*.`,
    causes: [
      `private_key_jwt, \`invalid_client\`: the \`aud\` the platform expects differs from the one sent; Thredd's documentation writes \`${THREDD.documentedAudience}\` while the URL posted to is \`${TOKEN_URL}\`.`,
      'private_key_jwt: the `kid` in the assertion header is not the kid registered for the key (see jwks.signing-key).',
      'private_key_jwt: the signing certificate was never uploaded in the portal, or was uploaded for another environment.',
      'private_key_jwt: `iss`/`sub` are not exactly the registered client id: the UUID form sent where the URL form ending in that UUID is registered (or the reverse), a trailing space or newline, different letter case.',
      `private_key_jwt: clock skew makes \`iat\` lie in the future or \`exp\` in the past; or \`exp\` is more than ${ASSERTION_MINUTES} minutes ahead.`,
      'private_key_jwt: `signing.algorithm` differs from the algorithm registered for the client (e.g. RS256 against PS256).',
      'client_secret_*: the secret belongs to the other environment, was rotated, or was copied with surrounding whitespace.',
      'client_secret_basic vs client_secret_post: the client is registered for the other method.',
      '`invalid_scope`: a scope in `client.scopes` is not granted to the client; `unauthorized_client`: the client credentials grant is not enabled for it.',
      'A client registered for certificate-bound tokens calls over plain TLS (no client certificate).',
    ],
    fixes: [
      'Read the `aud` in the report evidence beside the URL posted to; set `signing.audience` to the value the platform expects, or remove it to send the token URL.',
      'Remove `signing.kid` so golive uses the kid under which the JWKS registers the key; check with `golive check --only jwks`.',
      'Copy the client id from the portal exactly as shown (UUID or URL form); golive compares it as an exact string.',
      'Fix the clock first if clock.skew warns or fails: `golive check --only clock`.',
      'Reproduce the call outside golive with `golive check --only token --curl` (secrets appear as $VARS).',
      'Send Thredd support the report (`golive check --json report.json`): it holds the decoded assertion header and claims, the OAuth error and the server `Date`, never the secret or assertion.',
    ],
    seeAlso: ['jwks.signing-key', 'clock.skew', 'token.response'],
  },
  async run(ctx, deps) {
    const endpoint: ReachableEndpoint = deps['network.token-endpoint'];
    const { config } = endpoint;
    const url = config.endpoints.token;
    const prepared = await prepareCredentials(ctx, config, deps['signing.keypair'], url);
    if (!prepared.ok) return prepared.outcome;
    const { credentials, assertion } = prepared;
    const request = buildTokenRequest(credentials, config.client.scopes);
    const secrets = request.secrets;
    const clientCertificateSent = endpoint.material.clientCertificate !== undefined;
    const sentEvidence: Evidence = {
      method: 'POST',
      url,
      authMethod: config.client.authMethod,
      clientId: config.client.id,
      connectivity: config.connectivity,
      clientCertificate: clientCertificateSent,
      grantType: 'client_credentials',
      ...(config.client.scopes.length > 0 && { requestedScopes: config.client.scopes }),
      sent: request.sent,
      ...prepared.evidence,
    };

    const timeoutMs = stepTimeout(ctx, config);
    let response: HttpResponse;
    try {
      response = await ctx.http.request({
        url,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        timeoutMs,
        material: endpoint.material,
        maxBytes: MAX_TOKEN_RESPONSE_BYTES,
      });
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      return { ...networkFailure(error, url, timeoutMs, sentEvidence, ctx.env), secrets };
    }

    const issued = parseTokenAnswer(response.status, response.headers['content-type'], response.body);
    // What the report shows of the answer comes from it with the credentials just sent taken out:
    // servers echo requests in their errors, and a preview cut short or reshaped would no longer
    // be recognised by the redaction of the report.
    const seen = redactAnswer(response, new Redactor(secrets));
    const answer = issued.kind === 'token' ? issued : parseTokenAnswer(seen.status, seen.headers['content-type'], seen.body);
    const evidence: Evidence = { ...sentEvidence, ...responseEvidence(seen, ctx) };
    if (answer.kind === 'oauth-error') {
      const explained = explainTokenError({
        error: answer.error,
        ...(answer.description !== undefined && { description: answer.description }),
        authMethod: config.client.authMethod,
        connectivity: config.connectivity,
        clientId: config.client.id,
        tokenUrl: url,
        scopes: config.client.scopes,
        ...(credentials.method !== 'private_key_jwt' && { secret: { length: credentials.secret.length, surroundingWhitespace: credentials.secret !== credentials.secret.trim() } }),
        ...(assertion && { assertion: { header: assertion.header, claims: assertion.claims } }),
        ...(typeof evidence.clockSkewMs === 'number' && { clockSkewMs: evidence.clockSkewMs }),
        clientCertificateSent,
      });
      return {
        ...fail({
          message: explained.message,
          hint: explained.hint,
          evidence: {
            ...evidence,
            oauthError: { error: answer.error, error_description: answer.description ?? null, ...(answer.uri && { error_uri: answer.uri }) },
            ...(explained.findings && { causesConsidered: explained.findings.map(({ cause, verdict, detail }) => ({ cause, verdict, detail })) }),
          },
        }),
        secrets,
      };
    }
    if (answer.kind !== 'token') {
      const body = answer.kind === 'http-error' ? { body: answer.members } : answer.kind === 'no-access-token' ? { members: answer.memberNames } : {};
      return { ...fail({ ...explainAnswer(answer, url, seen), evidence: { ...evidence, ...body } }), secrets };
    }

    const token: IssuedToken = {
      accessToken: answer.accessToken,
      ...(typeof answer.tokenType === 'string' && { tokenType: answer.tokenType }),
      ...(answer.expiresIn !== undefined && { expiresIn: answer.expiresIn }),
      ...(typeof answer.scope === 'string' && { scope: answer.scope }),
      requestedScopes: [...config.client.scopes],
      response: answer.members,
      material: endpoint.material,
      ...(seen.headers.date && { serverDate: seen.headers.date }),
    };
    const passEvidence: Evidence = {
      ...evidence,
      tokenType: answer.tokenType ?? null,
      expiresIn: answer.expiresIn ?? null,
      scope: answer.scope ?? null,
      responseMembers: Object.keys(answer.members),
      accessToken: { length: answer.accessToken.length },
    };
    return {
      ...pass(token, passEvidence, `${describeAuthMethod(config.client.authMethod)} over ${config.connectivity === 'mtls' ? 'mTLS' : 'TLS'}: HTTP ${response.status}, token issued in ${Math.round(response.timings.totalMs)} ms`),
      secrets: [answer.accessToken, ...secrets],
    };
  },
});
