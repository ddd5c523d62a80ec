import { defineCheck, fail, pass, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import { stepTimeout, type RunContext } from '../src/pipeline/context.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import { HttpFailure, timelineEvidence, type HttpResponse } from '../src/net/http.js';
import type { IssuedToken, ReachableEndpoint } from '../src/online/types.js';
import type { ExplainedTokenError } from '../src/oauth/explain.js';
import { ASSERTION_LIFETIME_SECONDS } from '../src/oauth/lifetime.js';
import type { TokenAnswer } from '../src/oauth/token-response.js';
import { redactAnswer, Redactor } from '../src/redact.js';
import clockSkew from './clock.skew.js';
import jwksSigningKey from './jwks.signing-key.js';
import networkTokenEndpoint from './network.token-endpoint.js';
import signingKeypair from './signing.keypair.js';
import { TOKEN_URL } from './docs.js';
import { THREDD } from '../src/profiles/thredd.js';

const ASSERTION_MINUTES = THREDD.assertionMaxLifetimeSeconds / 60;

/** Token responses are small JSON documents; more is not read. */
const MAX_TOKEN_RESPONSE_BYTES = 262_144;

/** An OAuth error answer: explainTokenError reads it against what was sent; the code names the error. */
const OAUTH_ERROR = {
  message: (explained: ExplainedTokenError) => explained.message,
  hint: (explained: ExplainedTokenError) => explained.hint,
};

/**
 * token.request's findings of an OAuth error answer. Those of preparing the
 * credentials (nothing is sent) and of answers that are neither a token nor
 * an OAuth error are written beside the code that finds them, in
 * src/oauth/prepare.ts and src/oauth/answer.ts, and load with it when the
 * check runs.
 */
function findings() {
  return {
    'oauth-invalid-request': OAUTH_ERROR,
    'oauth-invalid-client': OAUTH_ERROR,
    'oauth-invalid-grant': OAUTH_ERROR,
    'oauth-unauthorized-client': OAUTH_ERROR,
    'oauth-unsupported-grant-type': OAUTH_ERROR,
    'oauth-invalid-scope': OAUTH_ERROR,
    'oauth-error': OAUTH_ERROR,
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

/** A token request that got no HTTP answer: described as every check describes a failed request. */
async function networkFailure(error: HttpFailure, url: string, evidence: Evidence, env: RunContext['env']): Promise<CheckOutcome<never>> {
  const { describeNetworkFailure } = await import('../src/net/describe.js');
  const { failure } = error;
  const described = describeNetworkFailure({
    failure,
    role: 'token host',
    url,
    field: 'endpoints.token',
    env,
    attempt: { kind: 'request', request: 'token request', probedBy: 'network.token-endpoint' },
  });
  return {
    status: 'fail',
    ...described,
    evidence: {
      ...evidence,
      layer: failure.layer,
      code: failure.code,
      ...(failure.step !== undefined && { step: failure.step }),
      ...(failure.proxy !== undefined && { proxy: failure.proxy }),
      ...(failure.alert !== undefined && { tlsAlert: failure.alert }),
      elapsedMs: error.elapsedMs,
      ...timelineEvidence(error),
    },
  };
}

/** The signals of the answer (src/net/answer.ts), with its size and timings. */
async function responseEvidence(response: HttpResponse, ctx: RunContext): Promise<Evidence> {
  const { answerEvidence, readAnswer } = await import('../src/net/answer.js');
  const { status, ...signals } = answerEvidence(readAnswer(response, { now: ctx.now() }), response.headers);
  return { status, bytes: response.bytesRead, timings: response.timings, ...signals };
}

export default defineCheck({
  id: 'token.request',
  title: 'Token issued',
  needs: [networkTokenEndpoint, signingKeypair],
  // Without signing.kid, the assertion carries the kid jwks.signing-key found the key registered under.
  // An OAuth error is explained from what both found, naming only the checks that ran.
  optionalNeeds: [jwksSigningKey, clockSkew],
  online: true,
  explain: {
    verifies: `A token request (client credentials grant) to the token endpoint (default ${TOKEN_URL}) succeeds with the configured client authentication: \`client_secret_post\`, \`client_secret_basic\` or \`private_key_jwt\`, over TLS or mTLS. An OAuth error is explained; for \`invalid_client\` with private_key_jwt the assertion is checked: \`aud\` (shown beside the URL posted to), \`iss\` = \`sub\` = client id, \`kid\`, \`alg\`, and the lifetime (golive's assertions live ${ASSERTION_LIFETIME_SECONDS} s; the platform accepts at most ${ASSERTION_MINUTES} minutes). Needs network.token-endpoint, and signing.keypair for private_key_jwt or \`client.secret\` for client_secret_*.`,
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
  async run(ctx, deps, optional) {
    // The request loads when it runs: an offline run never loads the token code.
    const [{ prepareCredentials, secretFacts }, { buildTokenRequest, describeAuthMethod }, { explainTokenError, oauthFindingCode }, { explainAnswer }, { parseTokenAnswer }] =
      await Promise.all([
        import('../src/oauth/prepare.js'),
        import('../src/oauth/client-auth.js'),
        import('../src/oauth/explain.js'),
        import('../src/oauth/answer.js'),
        import('../src/oauth/token-response.js'),
      ]);
    const endpoint: ReachableEndpoint = deps['network.token-endpoint'];
    const { config } = endpoint;
    const url = config.endpoints.token;
    const prepared = await prepareCredentials({
      config,
      keyPair: deps['signing.keypair'],
      url,
      registered: optional['jwks.signing-key'],
      now: ctx.now(),
    });
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
      return { ...(await networkFailure(error, url, sentEvidence, ctx.env)), secrets };
    }

    // A success whose body golive could not decode is no token, whatever its bytes read as (src/net/answer.ts):
    // a client that decodes the Content-Encoding it names gets none.
    const undecoded = response.undecodable !== undefined && response.status >= 200 && response.status <= 299;
    const issued: TokenAnswer = undecoded
      ? { kind: 'not-json', status: response.status, bytes: response.body.length, formEncoded: false }
      : parseTokenAnswer(response.status, response.headers['content-type'], response.body);
    // What the report shows of the answer comes from it with the credentials just sent taken out:
    // servers echo requests in their errors, and a preview cut short or reshaped would no longer
    // be recognised by the redaction of the report.
    const seen = redactAnswer(response, new Redactor(secrets));
    const answer = issued.kind === 'token' || undecoded ? issued : parseTokenAnswer(seen.status, seen.headers['content-type'], seen.body);
    const evidence: Evidence = { ...sentEvidence, ...(await responseEvidence(seen, ctx)), ...timelineEvidence(response) };
    if (answer.kind === 'oauth-error') {
      const explained = explainTokenError({
        error: answer.error,
        ...(answer.description !== undefined && { description: answer.description }),
        authMethod: config.client.authMethod,
        connectivity: config.connectivity,
        clientId: config.client.id,
        tokenUrl: url,
        scopes: config.client.scopes,
        ...(credentials.method !== 'private_key_jwt' && { secret: secretFacts(credentials.secret) }),
        ...(assertion && { assertion: { header: assertion.header, claims: assertion.claims } }),
        ...(typeof evidence.clockSkewMs === 'number' && { clockSkewMs: evidence.clockSkewMs }),
        clientCertificateSent,
        known: { signingKey: optional['jwks.signing-key'], clockSkew: optional['clock.skew'] },
      });
      return {
        ...finding.fail(oauthFindingCode(answer.error), explained, {
          ...evidence,
          oauthError: { error: answer.error, error_description: answer.description ?? null, ...(answer.uri && { error_uri: answer.uri }) },
          ...(explained.findings && { causesConsidered: explained.findings.map(({ cause, verdict, detail }) => ({ cause, verdict, detail })) }),
        }),
        secrets,
      };
    }
    if (answer.kind !== 'token') {
      const { evidence: body, ...explained } = explainAnswer(answer, { url, authMethod: config.client.authMethod, response: seen, now: ctx.now() });
      return { ...fail({ ...explained, evidence: { ...evidence, ...body } }), secrets };
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
