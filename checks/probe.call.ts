import { defineCheck, fail, pass, type Evidence } from '../src/pipeline/check.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import { stepTimeout } from '../src/pipeline/context.js';
import { describeNetworkFailure } from '../src/net/describe.js';
import { HttpFailure, type HttpResponse } from '../src/net/http.js';
import { parseThreddError, summariseErrors, TRACE_HEADERS } from '../src/online/thredd-errors.js';
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
  /** What the API said about it (Thredd's `errors`, `WWW-Authenticate` or the error title), if anything. */
  detail: string | undefined;
  config: ResolvedConfig;
  traceId: string | undefined;
  location: string | undefined;
}

const said = ({ detail }: Answer): string => (detail ? ` The API said: ${detail}` : '');

function findings() {
  return {
    unauthorized: {
      message: (answer: Answer) => `${answer.call} answered 401: the API rejected the access token.${said(answer)}`,
      hint: ({ config }: Answer) =>
        config.connectivity === 'mtls'
          ? 'On mTLS the token must be requested and used with the same transport certificate (it is bound to it): check that endpoints.token is the mTLS token endpoint and that the API call presents transport.certificate.'
          : 'Check that the token is for this API (audience/resource) and environment: a UAT token does not work on Production. Rerun: a token that expired between the calls is refused too.',
    },
    forbidden: {
      message: (answer: Answer) => `${answer.call} answered 403: the token was accepted but the call is not allowed.${said(answer)}`,
      hint: ({ detail, config }: Answer) =>
        /region/i.test(detail ?? '')
          ? `The client is provisioned for another region: set region to the one shown above (sent: X-Region ${config.region}, ${THREDD.regions[config.region]}).`
          : /connection/i.test(detail ?? '')
            ? `The platform allows at most ${THREDD.maxConnectionsPerIp} concurrent connections per client IP: reduce your client's concurrency.`
            : 'Check that the client has the scopes and product (PMID) access this endpoint needs, and that X-Region is the region the client is provisioned in; support can tell with the traceId.',
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
      message: (answer: Answer) => `${answer.call} answered ${answer.status}: the platform failed to handle it.${said(answer)}`,
      hint: ({ traceId }: Answer) =>
        `This is on the platform's side: send this report (with the traceId ${traceId ?? 'from the evidence'}) to Thredd support, or retry later.`,
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

/** The finding of a status the probe did not expect. */
function statusCode(status: number): Exclude<keyof ReturnType<typeof findings>, 'large-body'> {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 400) return 'bad-request';
  if (status >= 300 && status < 400) return 'redirect';
  if (status >= 500) return 'server-error';
  return 'unexpected-status';
}

export default defineCheck({
  id: 'probe.call',
  title: 'Probe API call answers',
  needs: [tokenRequest, networkApiEndpoint],
  online: true,
  explain: {
    verifies: `The probe request (default \`${THREDD.probe.method} ${THREDD.probe.path}\`) sent to the API host with \`Authorization: Bearer\`, \`X-Region\` and \`Content-Type\` answers with an expected status (\`probe.expectStatus\`, default ${THREDD.probe.expectStatus.join(', ')}). 401, 403, 404 and 5xx are each explained; the error body's \`traceId\` is in the evidence.`,
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
        },
      });
    }
    const error = parseThreddError(response.body, response.headers['content-type']);
    const evidence: Evidence = {
      request: sent,
      status: response.status,
      serverDate: response.headers.date ?? null,
      timings: response.timings,
      ...(error?.traceId && { traceId: error.traceId }),
      ...Object.fromEntries(TRACE_HEADERS.flatMap((name) => (response.headers[name] ? [[name, response.headers[name]]] : []))),
      ...(error && response.status >= 400 && { error }),
      ...(response.headers['www-authenticate'] && { wwwAuthenticate: response.headers['www-authenticate'] }),
    };
    const answer: Answer = {
      call,
      status: response.status,
      detail: summariseErrors(error) ?? response.headers['www-authenticate'] ?? error?.title,
      config,
      traceId: error?.traceId,
      location: response.headers.location,
    };
    if (config.probe.expectStatus.includes(response.status)) {
      if (response.truncated) return finding.warn('large-body', answer, evidence, { status: response.status });
      return pass({ status: response.status }, evidence, `${call} answered ${response.status}`);
    }
    return finding.fail(statusCode(response.status), answer, evidence);
  },
});
