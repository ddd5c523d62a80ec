import type { AuthMethod } from '../config/types.js';
import {
  challengeError,
  describeChallenges,
  describeUndecodable,
  readAnswer,
  retryAdvice,
  type AnswerReading,
  type Challenge,
  type Undecodable,
} from '../net/answer.js';
import type { HttpResponse } from '../net/http.js';
import type { Evidence } from '../pipeline/check.js';
import { findingsOf, type Finding, type FindingTable } from '../pipeline/findings.js';
import { THREDD } from '../profiles/thredd.js';
import type { TokenAnswer } from './token-response.js';

/** An answer of the token endpoint that is neither a token nor an OAuth error. */
export type OtherAnswer = Exclude<TokenAnswer, { kind: 'token' | 'oauth-error' }>;

/** A 401 without an OAuth error body: what it carried, for the client-authentication-failed finding. */
interface Refused {
  /** `an empty body`, or what the body is. */
  body: string;
  challenges: readonly Challenge[];
  authMethod: AuthMethod;
}

/** `; its error is "invalid_client": "…"`, from the challenge's parameters. */
function challengeSays(challenges: readonly Challenge[]): string {
  const said = challengeError(challenges);
  if (!said) return '';
  return `; the challenge says ${said.error}${said.description === undefined ? '' : `: "${said.description}"`}`;
}

/** What to check when client authentication failed, by method; a Basic challenge to a client_secret_post client names the other method. */
function credentialsHint({ authMethod, challenges }: Refused): string {
  if (authMethod === 'private_key_jwt') {
    return 'The platform did not accept the client assertion: check that client.id is the registered client id (iss and sub), that the signing certificate is registered for this client and environment under the kid sent, and that aud and signing.algorithm are what the platform expects (the assertion header and claims are in the evidence).';
  }
  const basicChallenge = challenges.some((challenge) => challenge.scheme.toLowerCase() === 'basic');
  const where = authMethod === 'client_secret_basic' ? 'in the Authorization header' : 'in the request body';
  const other = authMethod === 'client_secret_basic' ? 'client_secret_post' : 'client_secret_basic';
  const method =
    authMethod === 'client_secret_post' && basicChallenge
      ? ' The server challenges for Basic authentication: if the client is registered for client_secret_basic, set client.authMethod to it.'
      : ` If the client is registered for ${other}, set client.authMethod to it.`;
  return `Check client.id and client.secret (sent ${where}, as ${authMethod}) against the portal for this environment: a secret of the other environment, a rotated one, or one copied with surrounding whitespace is refused like this.${method}`;
}

/**
 * What such an answer means, by code: part of token.request's findings.
 * `body` describes a body that is not JSON (content type, size, start); it
 * is undefined for a JSON body.
 */
export function answerFindings() {
  return {
    'client-authentication-failed': {
      message: ({ body, challenges }: Refused) =>
        `The token endpoint refused the client authentication: it answered 401 with ${body} and ${
          challenges.length === 0 ? 'no WWW-Authenticate challenge' : `the challenge WWW-Authenticate: ${describeChallenges(challenges)}`
        }${challengeSays(challenges)}: RFC 6749 §5.2's answer when client authentication fails.`,
      hint: credentialsHint,
    },
    'rate-limited': {
      message: ({ retry }: { retry: string | undefined; seconds: number | undefined }) =>
        `The token endpoint answered 429 (too many requests)${retry === undefined ? ', without a usable Retry-After' : `; ${retry}`}.`,
      hint: ({ seconds }: { seconds: number | undefined }) =>
        `${seconds === undefined ? 'Wait a minute' : `Wait ${seconds} s`} before rerunning. The platform allows at most ${THREDD.maxConnectionsPerIp} concurrent connections per client IP: check whether other clients behind this IP call it at the same time.`,
    },
    'undecodable-body': {
      message: ({ status, undecodable }: { status: number; undecodable: Undecodable }) => `The token endpoint answered ${status} with ${describeUndecodable(undecodable)}.`,
      hint: ({ undecodable }: { status: number; undecodable: Undecodable }) =>
        undecodable.problem !== 'corrupt'
          ? 'The server ignored Accept-Encoding, or a proxy in between re-encoded the answer: check any proxy (HTTPS_PROXY); if there is none, send this report to Thredd support.'
          : 'The body is labelled with an encoding it does not have, or was damaged on the way: check any proxy (HTTPS_PROXY) that rewrites answers; if there is none, send this report to Thredd support.',
    },
    'form-encoded': {
      message: ({ status, contentType }: { status: number; contentType: string }) =>
        `The token endpoint answered ${status} with a form-encoded body instead of JSON (${contentType}).`,
      hint: () => 'RFC 6749 token responses are JSON: check that endpoints.token is the platform\'s OAuth2 token endpoint.',
    },
    'not-json': {
      message: ({ status, body }: { status: number; body: string }) =>
        `The token endpoint answered ${status} but the body is not JSON (${body}): something other than the authorization server answered.`,
      hint: () =>
        'A proxy or gateway in between most likely answered in its place: check endpoints.token and any proxy (HTTPS_PROXY); if it persists, send this report to Thredd support.',
    },
    redirect: {
      message: ({ status, location }: { status: number; location: string | undefined }) =>
        `The token endpoint answered ${status}, a redirect to ${location ?? '(no Location)'}; golive does not send credentials on to a redirect target.`,
      hint: () => 'Set endpoints.token to the final token endpoint URL.',
    },
    'server-error': {
      message: ({ status, body, retry }: { status: number; body: string | undefined; retry: string | undefined; seconds: number | undefined }) =>
        `The token endpoint answered ${status}${body === undefined ? '' : ` (${body})`}: the platform failed to handle the request${retry === undefined ? '' : `; ${retry}`}.`,
      // A JSON error body carries Thredd's traceId; any other only the request id headers.
      hint: ({ body, seconds }: { body: string | undefined; seconds: number | undefined }) =>
        `This is on the platform's side: ${seconds === undefined ? 'retry later' : `retry after ${seconds} s`}, and if it persists send this report (with its ${body === undefined ? 'traceId' : 'request id'}) to Thredd support.`,
    },
    'no-access-token': {
      message: ({ status, reason, memberNames }: { status: number; reason: string; memberNames: readonly string[] }) =>
        `The token endpoint answered ${status} with JSON, but ${reason} (members: ${memberNames.join(', ') || 'none'}).`,
      hint: () => 'Check that endpoints.token is the platform\'s OAuth2 token endpoint and that nothing in between rewrites the response.',
    },
    'not-oauth-error': {
      message: ({ status, body }: { status: number; body: string | undefined; url: string }) =>
        body === undefined
          ? `The token endpoint answered ${status} with JSON that is not an OAuth error (no "error" member).`
          : `The token endpoint answered ${status} without an OAuth error body (${body}).`,
      hint: ({ status, body, url }: { status: number; body: string | undefined; url: string }) =>
        body === undefined
          ? `Check endpoints.token (${url}): it must be the OAuth2 token endpoint, not an API path.`
          : `Check endpoints.token (${url}): a ${status} with a non-JSON body usually comes from a wrong path or host, or a proxy.`,
    },
  } satisfies FindingTable;
}

export type AnswerCode = keyof ReturnType<typeof answerFindings>;

const finding = findingsOf(answerFindings);

/** What is known of a body that is not JSON: content type, size and start. */
function notJsonBody(answer: Extract<OtherAnswer, { kind: 'not-json' }>): string {
  return `${answer.contentType ?? 'no content type'}, ${answer.bytes} bytes${answer.preview ? `, starting "${answer.preview}"` : ''}`;
}

/**
 * A 401 whose challenge or empty body says client authentication failed
 * (RFC 6749 §5.2); a 401 with some other body and no challenge is left to
 * the other readings (a gateway's page).
 */
function refusedAuthentication(answer: OtherAnswer, reading: AnswerReading, authMethod: AuthMethod): Finding<AnswerCode> | undefined {
  if (reading.kind !== 'unauthenticated' || (reading.challenges.length === 0 && !reading.empty)) return undefined;
  const body = reading.empty ? 'an empty body' : answer.kind === 'not-json' ? `a body that is not an OAuth error (${notJsonBody(answer)})` : 'JSON that is not an OAuth error';
  return finding.text('client-authentication-failed', { body, challenges: reading.challenges, authMethod });
}

/** A body that is not JSON: what it most likely is, by status. */
function explainNotJson(answer: Extract<OtherAnswer, { kind: 'not-json' }>, url: string, reading: AnswerReading): Finding<AnswerCode> {
  const { status } = answer;
  if (answer.formEncoded) return finding.text('form-encoded', { status, contentType: answer.contentType ?? 'no content type' });
  const body = notJsonBody(answer);
  if (status >= 200 && status < 300) return finding.text('not-json', { status, body });
  if (status >= 300 && status < 400) return finding.text('redirect', { status, location: reading.location?.href ?? reading.location?.raw });
  if (status >= 500) return finding.text('server-error', { status, body, retry: retryAdvice(reading.retryAfter), seconds: reading.retryAfter?.seconds });
  return finding.text('not-oauth-error', { status, body, url });
}

export interface AnswerContext {
  /** The URL posted to. */
  url: string;
  authMethod: AuthMethod;
  /** The answer as the report may show it (credentials taken out). */
  response: HttpResponse;
  /** The run's clock. */
  now: number;
}

/**
 * Explains an answer that is neither a token nor an OAuth error from the
 * signals it carries (status, challenges, Retry-After, encoding, Location);
 * the evidence is what the report shows of its body (JSON members, never a
 * credential).
 */
export function explainAnswer(answer: OtherAnswer, { url, authMethod, response, now }: AnswerContext): Finding<AnswerCode> & { evidence: Evidence } {
  const reading = readAnswer(response, { now });
  const { status } = answer;
  const evidence: Evidence = answer.kind === 'http-error' ? { body: answer.members } : answer.kind === 'no-access-token' ? { members: answer.memberNames } : {};
  const explained = ((): Finding<AnswerCode> => {
    if (reading.kind === 'undecodable' && reading.undecodable) return finding.text('undecodable-body', { status, undecodable: reading.undecodable });
    const refused = refusedAuthentication(answer, reading, authMethod);
    if (refused) return refused;
    const retry = { retry: retryAdvice(reading.retryAfter), seconds: reading.retryAfter?.seconds };
    if (reading.kind === 'rate-limited') return finding.text('rate-limited', retry);
    switch (answer.kind) {
      case 'not-json':
        return explainNotJson(answer, url, reading);
      case 'no-access-token':
        return finding.text('no-access-token', { status, reason: answer.reason, memberNames: answer.memberNames });
      case 'http-error':
        return status >= 500 ? finding.text('server-error', { status, body: undefined, ...retry }) : finding.text('not-oauth-error', { status, body: undefined, url });
    }
  })();
  return { ...explained, evidence };
}
