import type { Evidence } from '../pipeline/check.js';
import { findingsOf, type Finding, type FindingTable } from '../pipeline/findings.js';
import type { TokenAnswer } from './token-response.js';

/** An answer of the token endpoint that is neither a token nor an OAuth error. */
export type OtherAnswer = Exclude<TokenAnswer, { kind: 'token' | 'oauth-error' }>;

/**
 * What such an answer means, by code: part of token.request's findings.
 * `body` describes a body that is not JSON (content type, size, start); it
 * is undefined for a JSON body.
 */
export function answerFindings() {
  return {
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
      message: ({ status, body }: { status: number; body: string | undefined }) =>
        `The token endpoint answered ${status}${body === undefined ? '' : ` (${body})`}: the platform failed to handle the request.`,
      // A JSON error body carries Thredd's traceId; any other only the request id headers.
      hint: ({ body }: { body: string | undefined }) =>
        `This is on the platform's side: retry later, and if it persists send this report (with its ${body === undefined ? 'traceId' : 'request id'}) to Thredd support.`,
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

/** A body that is not JSON: what it most likely is, by status. */
function explainNotJson(answer: Extract<OtherAnswer, { kind: 'not-json' }>, url: string, location: string | undefined): Finding<AnswerCode> {
  const { status } = answer;
  const contentType = answer.contentType ?? 'no content type';
  if (answer.formEncoded) return finding.text('form-encoded', { status, contentType });
  const body = `${contentType}, ${answer.bytes} bytes${answer.preview ? `, starting "${answer.preview}"` : ''}`;
  if (status >= 200 && status < 300) return finding.text('not-json', { status, body });
  if (status >= 300 && status < 400) return finding.text('redirect', { status, location });
  if (status >= 500) return finding.text('server-error', { status, body });
  return finding.text('not-oauth-error', { status, body, url });
}

/**
 * Explains an answer that is neither a token nor an OAuth error, with what
 * the report shows of its body (JSON members, never a credential).
 * `location` is the answer's Location header.
 */
export function explainAnswer(answer: OtherAnswer, url: string, location: string | undefined): Finding<AnswerCode> & { evidence: Evidence } {
  const { status } = answer;
  switch (answer.kind) {
    case 'not-json':
      return { ...explainNotJson(answer, url, location), evidence: {} };
    case 'no-access-token':
      return { ...finding.text('no-access-token', { status, reason: answer.reason, memberNames: answer.memberNames }), evidence: { members: answer.memberNames } };
    case 'http-error': {
      const explained = status >= 500 ? finding.text('server-error', { status, body: undefined }) : finding.text('not-oauth-error', { status, body: undefined, url });
      return { ...explained, evidence: { body: answer.members } };
    }
  }
}
