import { defineCheck, fail, pass, type Evidence } from '../src/pipeline/check.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import { stepTimeout } from '../src/pipeline/context.js';
import { HttpFailure, timelineEvidence, type HttpResponse } from '../src/net/http.js';
import type { AnswerReading } from '../src/net/answer.js';
import { redactAnswer, Redactor } from '../src/redact.js';
import { THREDD } from '../src/profiles/thredd.js';
import type { ResolvedConfig } from '../src/config/types.js';
import tokenRequest from './token.request.js';
import networkApiEndpoint from './network.api-endpoint.js';

/** Probe answers are small JSON documents; more is read only as far as this. */
const MAX_PROBE_BYTES = 262_144;

/** What an answer that was not expected is explained from. */
interface Answer {
  /** `GET /core/api/v1/products` */
  call: string;
  status: number;
  /** What the API said about it (Thredd's `errors`, or the error title), if anything. */
  detail: string | undefined;
  /** The `error` and `error_description` of its WWW-Authenticate challenge (RFC 6750 §3). */
  challenged: { error: string; description?: string } | undefined;
  /** Its WWW-Authenticate challenges, described, when they carry no error. */
  challenges: string | undefined;
  /** `it asks to retry after 30 s (Retry-After)` */
  retry: string | undefined;
  retrySeconds: number | undefined;
  config: ResolvedConfig;
  traceId: string | undefined;
  location: string | undefined;
  contentType: string | undefined;
  /** A body golive could not decode, as describeUndecodable (src/net/answer.ts) words it. */
  undecodable: string | undefined;
}

const said = ({ detail, challenged, challenges }: Answer): string => {
  const challenge = challenged
    ? ` Its WWW-Authenticate challenge says ${challenged.error}${challenged.description === undefined ? '' : `: "${challenged.description}"`}${/[.!?]$/.test(challenged.description ?? '') ? '' : '.'}`
    : challenges
      ? ` It challenged with WWW-Authenticate: ${challenges}.`
      : '';
  return `${challenge}${detail ? ` The API said: ${detail}` : ''}`;
};

/** RFC 6750 §3.1: the token lacks a scope the call needs. */
const scopeHint = ({ config }: Answer): string =>
  `The token lacks a scope this call needs: add it to client.scopes${config.client.scopes.length === 0 ? ' (none are requested now)' : ''} and check in the portal that the client is granted it.`;

function findings() {
  return {
    unauthorized: {
      message: (answer: Answer) => `${answer.call} answered 401: the API rejected the access token.${said(answer)}`,
      hint: (answer: Answer) =>
        answer.challenged?.error === 'insufficient_scope'
          ? scopeHint(answer)
          : answer.config.connectivity === 'mtls'
            ? 'On mTLS the token must be requested and used with the same transport certificate (it is bound to it): check that endpoints.token is the mTLS token endpoint and that the API call presents transport.certificate.'
            : 'Check that the token is for this API (audience/resource) and environment: a UAT token does not work on Production. Rerun: a token that expired between the calls is refused too.',
    },
    forbidden: {
      message: (answer: Answer) => `${answer.call} answered 403: the token was accepted but the call is not allowed.${said(answer)}`,
      hint: (answer: Answer) => {
        const { detail, config, challenged } = answer;
        if (challenged?.error === 'insufficient_scope') return scopeHint(answer);
        if (/region/i.test(detail ?? '')) return `The client is provisioned for another region: set region to the one shown above (sent: X-Region ${config.region}, ${THREDD.regions[config.region]}).`;
        if (/connection/i.test(detail ?? '')) return `The platform allows at most ${THREDD.maxConnectionsPerIp} concurrent connections per client IP: reduce your client's concurrency.`;
        return 'Check that the client has the scopes and product (PMID) access this endpoint needs, and that X-Region is the region the client is provisioned in; support can tell with the traceId.';
      },
    },
    'rate-limited': {
      message: (answer: Answer) =>
        `${answer.call} answered 429 (too many requests)${answer.retry === undefined ? ', without a usable Retry-After' : `; ${answer.retry}`}.${said(answer)}`,
      hint: ({ retrySeconds }: Answer) =>
        `${retrySeconds === undefined ? 'Wait a minute' : `Wait ${retrySeconds} s`} before rerunning. The platform allows at most ${THREDD.maxConnectionsPerIp} concurrent connections per client IP: reduce your client's concurrency, and check whether other clients behind this IP call it at the same time.`,
    },
    'not-found': {
      message: (answer: Answer) => `${answer.call} answered 404 on ${answer.config.endpoints.api}.${said(answer)}`,
      hint: ({ config }: Answer) =>
        `Check probe.path and endpoints.api: the path must exist on this API and the host must be the ${config.connectivity === 'mtls' ? 'mTLS' : 'TLS'} host of ${config.environment}.`,
    },
    'bad-request': {
      message: (answer: Answer) => `${answer.call} answered 400: the API refused the request.${said(answer)}`,
      hint: ({ config }: Answer) =>
        `Check the headers golive sent (X-Region ${config.region}, Content-Type application/json) and probe.path against the API reference.`,
    },
    redirect: {
      message: ({ call, status, location }: Answer) =>
        `${call} answered ${status}, a redirect to ${location ?? '(no Location)'}; golive does not follow redirects with a token.`,
      hint: () => 'Point endpoints.api at the final API base URL, so the token is never sent to a host that only redirects.',
    },
    'server-error': {
      message: (answer: Answer) =>
        `${answer.call} answered ${answer.status}: the platform failed to handle it${answer.retry === undefined ? '' : `; ${answer.retry}`}.${said(answer)}`,
      hint: ({ traceId, retrySeconds }: Answer) =>
        `This is on the platform's side: send this report (with the traceId ${traceId ?? 'from the evidence'}) to Thredd support, or retry ${retrySeconds === undefined ? 'later' : `after ${retrySeconds} s`}.`,
    },
    'undecodable-body': {
      message: ({ call, status, undecodable }: Answer) => `${call} answered ${status} with ${undecodable ?? 'a body golive could not decode'}.`,
      hint: () =>
        'The API host, or a proxy in between, labels or encodes the body wrongly: check any proxy (HTTPS_PROXY) that rewrites answers; if there is none, send this report to Thredd support.',
    },
    'not-json': {
      message: ({ call, status, contentType }: Answer) =>
        `${call} answered ${status} as expected, but with ${contentType ?? 'no content type'} rather than JSON: something other than the API may have answered.`,
      hint: () => 'A proxy, gateway or sign-in page may answer in the API\'s place: check endpoints.api, probe.path and any proxy (HTTPS_PROXY).',
    },
    'unexpected-status': {
      message: (answer: Answer) => `${answer.call} answered ${answer.status}; expected ${answer.config.probe.expectStatus.join(' or ')}.${said(answer)}`,
      hint: () => 'Check probe.expectStatus and probe.path; `golive explain probe.call` lists what each status means.',
    },
    'large-body': {
      message: ({ call, status }: Answer) => `${call} answered ${status}, with a body over ${MAX_PROBE_BYTES} bytes (not read further).`,
      hint: () => 'Nothing to fix for go-live; pick a smaller probe endpoint to keep the check fast.',
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

/** The finding of a status the probe did not expect, from the reading of the answer. */
function statusCode({ kind, status }: AnswerReading): Exclude<keyof ReturnType<typeof findings>, 'large-body' | 'undecodable-body' | 'not-json'> {
  switch (kind) {
    case 'unauthenticated':
      return 'unauthorized';
    case 'forbidden':
      return 'forbidden';
    case 'rate-limited':
    case 'redirect':
    case 'server-error':
      return kind;
    default:
      return status === 404 ? 'not-found' : status === 400 ? 'bad-request' : 'unexpected-status';
  }
}

export default defineCheck({
  id: 'probe.call',
  title: 'Probe API call answers',
  needs: [tokenRequest, networkApiEndpoint],
  online: true,
  explain: {
    verifies: `The probe request (default \`${THREDD.probe.method} ${THREDD.probe.path}\`) sent to the API host with \`Authorization: Bearer\`, \`X-Region\` and \`Content-Type\` answers with an expected status (\`probe.expectStatus\`, default ${THREDD.probe.expectStatus.join(', ')}). 401, 403, 404, 429 and 5xx are each explained from what the answer carries (Thredd's error body, the \`WWW-Authenticate\` error, \`Retry-After\`); an expected status with a body that is not JSON warns. The error body's \`traceId\` is in the evidence.`,
    causes: [
      '401: the token is refused: a certificate-bound token sent without the client certificate, or a token from another environment.',
      '403: the client is not entitled to this API or programme, or `region` (X-Region) is not the region your programme is set up in.',
      '404: `probe.path` names an endpoint or API version that does not exist on this host, or an endpoint override points at the wrong base URL.',
      `429 or connection resets: too many concurrent connections from this IP (the platform allows at most ${THREDD.maxConnectionsPerIp}).`,
      '5xx: a platform-side error.',
    ],
    fixes: [
      `Set \`region\` to your programme's region (${Object.entries(THREDD.regions)
        .map(([n, name]) => `${n} ${name}`)
        .join(', ')}).`,
      'Point `probe.path` at an endpoint your client is entitled to, and list its success status in `probe.expectStatus`.',
      'Reproduce with `golive check --only probe --curl`.',
      'For 5xx (and any unexplained 4xx), send Thredd support the `traceId` from the report with the time of the call.',
    ],
    seeAlso: ['token.response', 'network.api-endpoint'],
  },
  async run(ctx, deps) {
    // The call loads when it runs: an offline run never loads the network code.
    const [{ answerEvidence, challengeError, describeChallenges, describeUndecodable, readAnswer, retryAdvice }, { describeNetworkFailure }, { summariseErrors }] =
      await Promise.all([import('../src/net/answer.js'), import('../src/net/describe.js'), import('../src/online/thredd-errors.js')]);
    const token = deps['token.request'];
    const { config } = deps['network.api-endpoint'];
    const url = `${config.endpoints.api}${config.probe.path}`;
    const call = `${config.probe.method} ${config.probe.path}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${token.accessToken}`,
      'x-region': String(config.region),
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'golive',
    };
    const sent = { method: config.probe.method, url, headers: ['Authorization: Bearer [token]', `X-Region: ${config.region}`, 'Content-Type: application/json'] };
    let response: HttpResponse;
    try {
      // The token's own TLS material: a certificate-bound token goes out with the certificate it is bound to.
      response = await ctx.http.request({
        url,
        method: config.probe.method,
        headers,
        timeoutMs: stepTimeout(ctx, config),
        material: token.material,
        maxBytes: MAX_PROBE_BYTES,
      });
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      const { failure } = error;
      const described = describeNetworkFailure({
        failure,
        role: 'API host',
        url,
        field: 'endpoints.api',
        env: ctx.env,
        attempt: { kind: 'request', request: `probe request (${call})`, probedBy: 'network.api-endpoint' },
      });
      return fail({
        ...described,
        evidence: {
          request: sent,
          layer: failure.layer,
          code: failure.code,
          ...(failure.step !== undefined && { step: failure.step }),
          ...(failure.proxy !== undefined && { proxy: failure.proxy }),
          elapsedMs: error.elapsedMs,
          ...timelineEvidence(error),
        },
      });
    }
    // Read with the token taken out: APIs echo the Authorization header in their errors and challenges.
    const seen = redactAnswer(response, new Redactor([token.accessToken]));
    const reading = readAnswer(seen, { now: ctx.now() });
    const error = reading.thredd;
    const evidence: Evidence = {
      request: sent,
      ...answerEvidence(reading, seen.headers),
      timings: response.timings,
      ...timelineEvidence(response),
      ...(error && response.status >= 400 && { error }),
    };
    const answer: Answer = {
      call,
      status: response.status,
      detail: summariseErrors(error) ?? error?.title,
      challenged: challengeError(reading.challenges),
      challenges: reading.challenges.length > 0 ? describeChallenges(reading.challenges) : undefined,
      retry: retryAdvice(reading.retryAfter),
      retrySeconds: reading.retryAfter?.seconds,
      config,
      traceId: error?.traceId,
      location: reading.location?.href ?? reading.location?.raw,
      contentType: reading.contentType.raw,
      undecodable: reading.undecodable && describeUndecodable(reading.undecodable),
    };
    if (config.probe.expectStatus.includes(response.status)) {
      if (reading.undecodable) return finding.fail('undecodable-body', answer, evidence);
      if (response.truncated) return finding.warn('large-body', answer, evidence, { status: response.status });
      // An expected status with a body that is not JSON: a gateway or sign-in page may have answered.
      if (!reading.empty && !reading.contentType.json) return finding.warn('not-json', answer, evidence, { status: response.status });
      return pass({ status: response.status }, evidence, `${call} answered ${response.status}`);
    }
    return finding.fail(statusCode(reading), answer, evidence);
  },
});
