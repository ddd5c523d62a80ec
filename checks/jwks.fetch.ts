import type { ResolvedConfig } from '../src/config/types.js';
import type { JwksProblem, KeyIssue } from '../src/jwks/parse.js';
import { asTheClientDependsOnIt } from '../src/jwks/unread.js';
import { bodySnippet, kidList } from '../src/jwks/wording.js';
import { showValue, unseenCharacters, WHERE_VALUES_COME_FROM } from '../src/config/pasted.js';
import type { AnswerReading } from '../src/net/answer.js';
import { HttpFailure, timelineEvidence, type HttpResponse } from '../src/net/http.js';
import type { TlsMaterial } from '../src/net/probe.js';
import type { FetchedJwks } from '../src/online/types.js';
import { stepTimeout, type RunContext } from '../src/pipeline/context.js';
import { defineCheck, pass, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import { combine, findingsOf, type Finding, type FindingTable } from '../src/pipeline/findings.js';
import configConsistency from './config.consistency.js';
import { THREDD } from '../src/profiles/thredd.js';

const JWKS_URL = THREDD.jwksTemplate.replace('{organisationId}', '$THREDD_ORG_ID');

/** Kids named in a message; the evidence always holds them all. */
const KIDS_IN_MESSAGE = 10;
/** Key problems named in a message. */
const ISSUES_IN_MESSAGE = 5;

/** The JWKS URL answered, but not 200. */
interface Answered {
  url: URL;
  status: number;
  /** What the error body says, if anything readable. */
  said?: string;
  /** The challenge it answered with: `WWW-Authenticate: Basic realm="x"`. */
  challenge?: string;
  /** When it asks to be retried (Retry-After). */
  retry?: string;
  seconds?: number;
}

/** A body that is not a key set, and how it was served. */
type NotAKeySet<C extends JwksProblem['code']> = Extract<JwksProblem, { code: C }> & { served: string; url: URL };

const answered = ({ status, said, challenge, retry }: Answered) => {
  const text = `The JWKS URL answered HTTP ${status} instead of 200${challenge === undefined ? '' : ` (${challenge})`}${said === undefined ? '' : `: "${said}"`}${retry === undefined ? '' : `; ${retry}`}`;
  return retry === undefined && said !== undefined && /[.!?]$/.test(said) ? text : `${text}.`;
};
const checkUrl = ({ url }: { url: URL }) => `Check that endpoints.jwks (${url.href}) is the organisation's JWKS URL (…/jwks.json).`;

function describeIssue(issue: KeyIssue): string {
  return `key ${issue.index}${issue.kid === undefined ? '' : ` (kid "${issue.kid}")`} ${issue.detail}`;
}

interface KeyIssues {
  issues: readonly KeyIssue[];
  keyCount: number;
}

/** Entries of the key set that look wrong (the set is still usable). */
const keyIssues = {
  message: ({ issues, keyCount }: KeyIssues) => {
    const shown = issues.slice(0, ISSUES_IN_MESSAGE).map(describeIssue);
    const more = issues.length > ISSUES_IN_MESSAGE ? `; and ${issues.length - ISSUES_IN_MESSAGE} more` : '';
    const affected = new Set(issues.map((issue) => issue.index)).size;
    return `${affected} of ${keyCount} JWKS keys look wrong: ${shown.join('; ')}${more}.`;
  },
  hint: ({ issues }: KeyIssues) => {
    const hints: string[] = [];
    if (issues.some((issue) => issue.code === 'private-members')) {
      hints.push('A published private key is compromised: revoke it in the portal and register a new key.');
    }
    if (issues.some((issue) => issue.code === 'no-kid' || issue.code === 'duplicate-kid')) {
      hints.push('The platform picks a key by the kid in the assertion header, so a key without a unique kid cannot be chosen: re-register it in the portal.');
    }
    if (hints.length === 0) hints.push('Entries that are not complete keys are ignored when matching; re-register them in the portal if they should count.');
    return hints.join(' ');
  },
};

function findings() {
  return {
    'ca-unreadable': {
      message: ({ ca, reason }: { ca: string; reason: string }) => `http.ca (${ca}) could not be read for the https JWKS URL: ${reason}.`,
      hint: () => 'Make http.ca a readable PEM file of the extra trust anchors, or remove it.',
    },
    // Answers other than 200.
    'redirect-without-location': {
      message: ({ status }: { status: number }) => `The JWKS URL answered ${status} (a redirect) without a Location header.`,
      hint: () => 'Set endpoints.jwks to the URL that serves the key set directly; golive does not follow redirects.',
    },
    redirect: {
      message: ({ status, location, elsewhere }: { status: number; location: string; elsewhere: boolean; upgrade: boolean }) =>
        `The JWKS URL answered ${status} redirecting to ${location}${elsewhere ? ' on another host' : ''}; golive does not follow redirects.`,
      hint: ({ location, upgrade }: { location: string; upgrade: boolean }) =>
        upgrade
          ? `The host moved the JWKS to https: set endpoints.jwks to ${location}.`
          : `Set endpoints.jwks to ${location} once you have checked it serves this organisation's key set, so nothing depends on a redirect.`,
    },
    'not-found': {
      message: (args: Answered & { organisationId: string }) => answered(args),
      hint: ({ organisationId }: { organisationId: string }) => {
        // The organisation id is part of the URL: a pasted line break or space makes it another URL.
        const unseen = unseenCharacters(organisationId);
        return unseen === undefined
          ? `Check organisationId (${organisationId}) and endpoints.jwks: no key set is published at this URL, and a new organisation has none until a key is registered in the portal.`
          : `${showValue('organisationId', organisationId)} ${unseen}, and the JWKS URL holds it: remove the unseen characters where its value comes from ${WHERE_VALUES_COME_FROM}.`;
      },
    },
    'access-refused': {
      message: answered,
      hint: ({ url }: Answered) =>
        `Something between golive and ${url.host} refuses the request (the JWKS is public): check the proxy (HTTPS_PROXY, NO_PROXY) or firewall.`,
    },
    'proxy-authentication': {
      message: answered,
      hint: ({ url }: Answered) =>
        `A proxy between golive and ${url.host} wants credentials: give them in the proxy variable (HTTP_PROXY or HTTPS_PROXY, as http://user:password@host:port), or have the proxy let ${url.host} through.`,
    },
    'rate-limited': {
      message: answered,
      hint: ({ seconds }: Answered) =>
        `The JWKS host limits requests: ${seconds === undefined ? 'wait a minute' : `wait ${seconds} s`} and rerun; if it persists, send this check's evidence to the platform's support.`,
    },
    'server-error': {
      message: answered,
      hint: ({ seconds }: Answered) =>
        `The JWKS host has a problem: ${seconds === undefined ? 'rerun later' : `rerun after ${seconds} s`}; if it persists, send this check's evidence to the platform's support.`,
    },
    'undecodable-body': {
      // `undecodable`: the body, as describeUndecodable (src/net/answer.ts) words it.
      message: ({ status, undecodable }: { status: number; undecodable: string; url: URL }) => `The JWKS URL answered ${status} with ${undecodable}.`,
      hint: ({ url }: { status: number; undecodable: string; url: URL }) =>
        `The JWKS host, or a proxy in between, labels or encodes the body wrongly: fetch it with \`curl --compressed -i ${url.href}\` and tell the JWKS host operator.`,
    },
    'unexpected-status': {
      message: answered,
      hint: ({ url }: Answered) => `Check that endpoints.jwks (${url.href}) is the organisation's JWKS URL.`,
    },
    'too-large': {
      message: ({ maxBytes, bytesRead, contentLength, encoding, encodedBytes }: { maxBytes: number; bytesRead: number; contentLength?: number; encoding?: string; encodedBytes?: number; url: URL }) =>
        encoding === undefined
          ? `The JWKS body is larger than http.jwksMaxBytes (${maxBytes} bytes): stopped reading at ${bytesRead} bytes${contentLength === undefined ? '' : ` of ${contentLength} announced`}.`
          : `The JWKS body is larger than http.jwksMaxBytes (${maxBytes} bytes) once decoded from ${encoding}: stopped reading at ${bytesRead} decoded bytes, from ${encodedBytes ?? 0} bytes received.`,
      hint: ({ url }: { url: URL }) =>
        `A key set is normally a few kilobytes: check that endpoints.jwks (${url.href}) is the organisation's JWKS; raise http.jwksMaxBytes only if it really publishes that many keys.`,
    },
    // A 200 whose body is not a key set: the codes of parseJwks.
    'empty-body': {
      message: ({ served }: NotAKeySet<'empty-body'>) => `The JWKS URL answered 200 with an empty body (${served}).`,
      hint: checkUrl,
    },
    html: {
      message: ({ served, title }: NotAKeySet<'html'>) =>
        `The JWKS URL answered 200 with an HTML page (${served}${title === undefined ? '' : `, title "${title}"`}), not a JSON Web Key Set.`,
      hint: ({ url }: NotAKeySet<'html'>) =>
        `A proxy, captive portal or sign-in page answered, or the URL is wrong: fetch ${url.href} with curl from this machine, and let requests to ${url.host} through the proxy.`,
    },
    binary: {
      message: ({ bytes, served }: NotAKeySet<'binary'>) => `The JWKS URL answered 200 with ${bytes} bytes of binary data (${served}), not JSON.`,
      hint: checkUrl,
    },
    'not-json': {
      message: ({ served, start }: NotAKeySet<'not-json'>) =>
        `The JWKS URL answered 200 with a body that is not JSON (${served}): it starts "${bodySnippet(start, 60)}".`,
      hint: checkUrl,
    },
    'not-object': {
      message: ({ jsonType }: NotAKeySet<'not-object'>) => `The JWKS is ${jsonType}, not an object with a "keys" array.`,
      hint: checkUrl,
    },
    'no-keys': {
      message: ({ members }: NotAKeySet<'no-keys'>) => `The JWKS is JSON without a "keys" array (members: ${members.join(', ') || 'none'}).`,
      hint: (args: NotAKeySet<'no-keys'>) =>
        args.members.includes('jwks_uri') || args.members.includes('issuer')
          ? 'This looks like OpenID / OAuth server metadata: set endpoints.jwks to its jwks_uri, the organisation key set.'
          : checkUrl(args),
    },
    'keys-not-array': {
      message: ({ keysType }: NotAKeySet<'keys-not-array'>) => `The JWKS "keys" member is ${keysType}, not an array.`,
      hint: checkUrl,
    },
    'empty-keys': {
      message: (_: NotAKeySet<'empty-keys'>) => 'The JWKS holds no keys ("keys": []), so no key is registered for this organisation.',
      hint: () => 'Register the signing certificate for this organisation and environment in the portal, then rerun.',
    },
    'no-key-objects': {
      message: ({ entries, types }: NotAKeySet<'no-key-objects'>) =>
        `None of the ${entries} entries of the JWKS "keys" is a key object (found ${types.join(', ')}).`,
      hint: checkUrl,
    },
    // A usable key set, with something to fix.
    'content-type-not-json': {
      message: ({ contentType }: { contentType?: string }) =>
        `The JWKS parses, but is served ${contentType ? `as ${contentType}` : 'with no content type'} rather than application/json.`,
      hint: () => 'Nothing to change in the config: a stricter client may refuse this type, so mention it to the JWKS host operator.',
    },
    'private-key-published': keyIssues,
    'key-issues': keyIssues,
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

/** A fetch that got no HTTP answer: described as every check describes a first contact with a host. */
async function failureOutcome(error: HttpFailure, url: URL, timeoutMs: number, proxy: string | undefined, env: RunContext['env']): Promise<CheckOutcome<never>> {
  const [{ describeNetworkFailure }, { describeProxy }] = await Promise.all([import('../src/net/describe.js'), import('../src/net/proxy.js')]);
  const { failure } = error;
  const { layer, code, alert, step } = failure;
  const evidence: Evidence = {
    url: url.href,
    host: url.host,
    layer,
    code,
    ...(step !== undefined && { step }),
    ...(alert !== undefined && { alert }),
    elapsedMs: error.elapsedMs,
    timeoutMs,
    ...(proxy !== undefined && { proxy: describeProxy(proxy) }),
    ...timelineEvidence(error),
  };
  // The fetch is the first contact with the JWKS host (no check probes it), and it never presents a client certificate.
  const described = describeNetworkFailure({
    failure,
    role: 'JWKS host',
    url: url.href,
    field: 'endpoints.jwks',
    env,
    attempt: { kind: 'probe', connectivity: 'tls', anonymous: true },
  });
  return { status: 'fail', ...described, evidence };
}

function redirectOutcome({ status, location }: AnswerReading, evidence: Evidence): CheckOutcome<never> {
  if (location === undefined) return finding.fail('redirect-without-location', { status }, evidence);
  const target = location.href ?? location.raw;
  return finding.fail('redirect', { status, location: target, elsewhere: location.elsewhere, upgrade: location.upgrade }, { ...evidence, location: target });
}

function errorBodySummary(body: Buffer): string | undefined {
  const text = body.toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      const fields = parsed as Record<string, unknown>;
      const said = [fields.message, fields.error_description, fields.title, fields.error].find((value) => typeof value === 'string');
      if (typeof said === 'string') return bodySnippet(said, 120);
    }
  } catch {
    // Not JSON: the start of the text says as much.
  }
  const snippet = bodySnippet(text, 120);
  return snippet === '' || /[\ufffd]/.test(snippet) ? undefined : snippet;
}

/** An answer other than 200, read from its status and the signals it carries (challenge, Retry-After). */
async function statusOutcome(response: HttpResponse, reading: AnswerReading, url: URL, config: ResolvedConfig, evidence: Evidence): Promise<CheckOutcome<never>> {
  const { describeChallenges, retryAdvice } = await import('../src/net/answer.js');
  const { status } = response;
  const said = errorBodySummary(response.body);
  const snippet = bodySnippet(response.body.toString('utf8'));
  const proxy = reading.kind === 'proxy-authentication';
  const challenges = proxy ? reading.proxyChallenges : reading.challenges;
  const retry = retryAdvice(reading.retryAfter);
  const args: Answered = {
    url,
    status,
    ...(said !== undefined && { said }),
    ...(challenges.length > 0 && { challenge: `${proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate'}: ${describeChallenges(challenges)}` }),
    ...(retry !== undefined && { retry, seconds: reading.retryAfter?.seconds }),
  };
  const found: Evidence = { ...evidence, ...(snippet !== '' && !snippet.includes('\ufffd') && { bodyStart: snippet }) };
  switch (reading.kind) {
    case 'not-found':
      return finding.fail('not-found', { ...args, organisationId: config.organisationId }, found);
    case 'unauthenticated':
    case 'forbidden':
      return finding.fail('access-refused', args, found);
    case 'proxy-authentication':
    case 'rate-limited':
    case 'server-error':
      return finding.fail(reading.kind, args, found);
    default:
      return finding.fail('unexpected-status', args, found);
  }
}

function problemOutcome(problem: JwksProblem, contentType: string | undefined, url: URL, evidence: Evidence): CheckOutcome<never> {
  const served = contentType ? `served as ${contentType}` : 'with no content type';
  return finding.fail(problem.code, { ...problem, served, url }, { ...evidence, problem: problem.code });
}

export default defineCheck({
  id: 'jwks.fetch',
  title: 'Organisation JWKS answers',
  needs: [configConsistency],
  online: true,
  explain: {
    verifies: `The organisation JWKS URL (default ${THREDD.jwksTemplate}) answers 200 with a JSON Web Key Set (an object with a \`keys\` array). Reports timings, size and content type. For a \`client_secret_*\` client a key set that cannot be read is a warning: its token request does not depend on the JWKS.`,
    causes: [
      'A wrong `organisationId` (usually a 404 or 403): often the client id, or the UAT organisation id in a Production config.',
      'No key has been registered for the organisation yet, so no JWKS is published.',
      `A proxy or firewall blocks plain http to ${THREDD.jwksHost}, or answers with its own HTML page (200 with text/html).`,
      'The JWKS host is slow or times out from this network.',
    ],
    fixes: [
      `Fetch it yourself: \`curl -sS -i ${JWKS_URL}\`; the body must be JSON with a \`keys\` array.`,
      'Copy the organisation id from the portal into THREDD_ORG_ID; it is not the client id.',
      `Allow outbound http (port 80) to ${THREDD.jwksHost} in the proxy or firewall.`,
      'Rerun only the JWKS checks with `golive check --only jwks`.',
    ],
    seeAlso: ['jwks.signing-key', 'jwks.transport-key'],
  },
  // A client_secret_* client does not depend on the JWKS: for it, a key set that cannot be read warns.
  run: asTheClientDependsOnIt(async (ctx, deps): Promise<CheckOutcome<FetchedJwks>> => {
    // The fetch loads when it runs: an offline run never loads the network code.
    const [{ answerEvidence, describeUndecodable, readAnswer }, { parseJwks }, { tlsMaterialFor }, { describeProxy, proxyFor }] = await Promise.all([
      import('../src/net/answer.js'),
      import('../src/jwks/parse.js'),
      import('../src/net/material.js'),
      import('../src/net/proxy.js'),
    ]);
    const config = deps['config.consistency'];
    const url = new URL(config.endpoints.jwks);
    const timeoutMs = stepTimeout(ctx, config);
    const maxBytes = config.http.jwksMaxBytes;
    const proxy = proxyFor(url, ctx.env);
    // Only an https JWKS needs the extra trust anchors; a plain-http fetch must not fail on an unreadable http.ca.
    let material: TlsMaterial = {};
    if (url.protocol === 'https:') {
      try {
        material = await tlsMaterialFor(config);
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? String(error);
        return finding.fail('ca-unreadable', { ca: config.http.ca ?? '', reason }, { url: url.href });
      }
    }

    let response: HttpResponse;
    try {
      response = await ctx.http.request({ url: url.href, method: 'GET', headers: { accept: 'application/json' }, maxBytes, timeoutMs, material, shared: true });
    } catch (error) {
      if (error instanceof HttpFailure) return failureOutcome(error, url, timeoutMs, proxy, ctx.env);
      throw error;
    }

    const contentType = response.headers['content-type'];
    const reading = readAnswer(response, { now: ctx.now() });
    const evidence: Evidence = {
      url: url.href,
      ...answerEvidence(reading, response.headers),
      bytes: response.bytesRead,
      ...(response.encodedBytes !== undefined && { encodedBytes: response.encodedBytes }),
      fetchMs: response.timings.totalMs,
      headersMs: response.timings.headersMs,
      ...(response.headers['content-length'] !== undefined && { contentLength: Number(response.headers['content-length']) }),
      ...(proxy !== undefined && { proxy: describeProxy(proxy) }),
      ...timelineEvidence(response),
    };

    if (reading.kind === 'redirect') return redirectOutcome(reading, evidence);
    if (response.status !== 200) return statusOutcome(response, reading, url, config, evidence);
    if (reading.undecodable) return finding.fail('undecodable-body', { status: response.status, undecodable: describeUndecodable(reading.undecodable), url }, evidence);
    if (response.truncated) {
      const contentLength = evidence.contentLength as number | undefined;
      const encoding = reading.contentEncoding.length > 0 ? { encoding: reading.contentEncoding.join(', '), encodedBytes: response.encodedBytes } : {};
      return finding.fail('too-large', { maxBytes, bytesRead: response.bytesRead, contentLength, url, ...encoding }, { ...evidence, maxBytes });
    }

    const parsed = parseJwks(response.body, contentType);
    if (!parsed.ok) return problemOutcome(parsed.problem, contentType, url, evidence);

    const output: FetchedJwks = {
      url: url.href,
      keys: parsed.keys,
      kids: parsed.kids,
      bytes: response.bytesRead,
      ...(contentType !== undefined && { contentType }),
      fetchMs: response.timings.totalMs,
      config,
    };
    const found: Evidence = { ...evidence, kids: parsed.kids, keyCount: parsed.keys.length };
    const { issues } = parsed;
    const published = issues.some((issue) => issue.code === 'private-members');
    const warnings: Finding[] = [
      ...(reading.contentType.json ? [] : [finding.text('content-type-not-json', { contentType })]),
      ...(issues.length > 0 ? [finding.text(published ? 'private-key-published' : 'key-issues', { issues, keyCount: parsed.keys.length })] : []),
    ];
    const [first, ...rest] = warnings;
    if (first !== undefined) return combine('warn', [first, ...rest], { ...found, ...(issues.length > 0 && { keyIssues: issues }) }, output);
    const count = parsed.keys.length;
    return pass(
      output,
      found,
      `The JWKS answered 200 in ${response.timings.totalMs} ms with ${count} key${count === 1 ? '' : 's'} (${response.bytesRead} bytes): ${kidList(parsed.kids, KIDS_IN_MESSAGE)}.`,
    );
  }),
});
