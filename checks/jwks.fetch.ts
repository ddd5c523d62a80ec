import type { ResolvedConfig } from '../src/config/types.js';
import { bodySnippet, isJsonContentType, parseJwks, type JwksProblem, type KeyIssue } from '../src/jwks/parse.js';
import { kidList } from '../src/jwks/registration.js';
import { HttpFailure, type HttpResponse } from '../src/net/http.js';
import { tlsMaterialFor } from '../src/net/material.js';
import type { TlsMaterial } from '../src/net/probe.js';
import { describeProxy, proxyFor, proxyVariable } from '../src/net/proxy.js';
import type { FetchedJwks } from '../src/online/types.js';
import { stepTimeout, type RunContext } from '../src/pipeline/context.js';
import { defineCheck, fail, pass, warn, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import configConsistency from './config.consistency.js';
import { JWKS_URL } from './docs.js';
import { THREDD } from '../src/profiles/thredd.js';

interface Finding {
  message: string;
  hint: string;
}

/** Kids named in a message; the evidence always holds them all. */
const KIDS_IN_MESSAGE = 10;
/** Key problems named in a message. */
const ISSUES_IN_MESSAGE = 5;

function failureOutcome(error: HttpFailure, url: URL, timeoutMs: number, proxy: string | undefined, env: RunContext['env']): CheckOutcome<never> {
  const { layer, code, reason, alert, step } = error.failure;
  const host = url.host;
  const evidence: Evidence = {
    url: url.href,
    host,
    layer,
    code,
    ...(step !== undefined && { step }),
    ...(alert !== undefined && { alert }),
    elapsedMs: error.elapsedMs,
    timeoutMs,
    ...(proxy !== undefined && { proxy: describeProxy(proxy) }),
  };
  const via = proxy === undefined ? '' : ` through the proxy ${describeProxy(proxy)}`;
  const proxyHint =
    proxy === undefined
      ? undefined
      : `Check ${proxyVariable(url, env) ?? 'HTTP_PROXY'} (${describeProxy(proxy)}): the proxy must be up and let requests to ${host} through (to fetch ${url.hostname} directly, add it to NO_PROXY)`;
  if (layer === 'timeout') {
    // A timeout names the step that hung; "did not answer" fits only a request sent and left unanswered.
    const waitedForAnswer = step === undefined || step === 'http';
    return fail({
      message: waitedForAnswer
        ? `The JWKS host ${host} did not answer within ${timeoutMs} ms${via} (${code}).`
        : `The JWKS host ${host} could not be fetched: ${reason} (${code}).`,
      hint: `${proxyHint ?? `Check that this network reaches ${host} (proxy, firewall)`}, then rerun; raise --timeout only if the host is known to be slow.`,
      evidence,
    });
  }
  // undici's parser codes: something answered on the port, but not with HTTP.
  if (code.startsWith('HPE_')) {
    return fail({
      message: `The JWKS host ${host} answered with something that is not HTTP${via} (${code}).`,
      hint: `Check the scheme and port of endpoints.jwks (${url.href}): another service listens there.`,
      evidence: { ...evidence, layer: 'http' },
    });
  }
  const hints: Record<string, string> = {
    dns: `Check the host name in endpoints.jwks (${url.href}) and that this machine's DNS resolves ${url.hostname}.`,
    tcp: `Allow outbound ${url.protocol.replace(':', '')} to ${host} in the firewall or proxy, and check the port in endpoints.jwks.`,
    proxy: proxyHint ? `${proxyHint}.` : 'Check HTTPS_PROXY / HTTP_PROXY and NO_PROXY: the proxy refused the connection to the JWKS host.',
    'tls-trust': `Add the CA that issued ${host}'s certificate to http.ca (a corporate proxy re-signs TLS with its own CA); do not disable certificate verification.`,
    'tls-hostname': `Point endpoints.jwks at a host name the server certificate names, or add the right CA to http.ca.`,
    'tls-expired': `The JWKS host's certificate is not valid now: check the local clock, then tell the host's operator.`,
  };
  return fail({
    message: `The JWKS host ${host} could not be reached${via}: ${reason} (${layer}, ${code}).`,
    hint: hints[layer] ?? `Fetch ${url.href} with curl from this machine to see the failure, and check endpoints.jwks.`,
    evidence,
  });
}

function redirectOutcome(response: HttpResponse, url: URL, evidence: Evidence): CheckOutcome<never> {
  const raw = response.headers.location;
  if (raw === undefined) {
    return fail({
      message: `The JWKS URL answered ${response.status} (a redirect) without a Location header.`,
      hint: `Set endpoints.jwks to the URL that serves the key set directly; golive does not follow redirects.`,
      evidence,
    });
  }
  let target: URL | undefined;
  try {
    target = new URL(raw, url);
  } catch {
    target = undefined;
  }
  const location = target?.href ?? raw;
  const elsewhere = target !== undefined && target.host !== url.host ? ' on another host' : '';
  const upgrade = target !== undefined && url.protocol === 'http:' && target.protocol === 'https:' && target.host === url.host;
  return fail({
    message: `The JWKS URL answered ${response.status} redirecting to ${location}${elsewhere}; golive does not follow redirects.`,
    hint: upgrade
      ? `The host moved the JWKS to https: set endpoints.jwks to ${location}.`
      : `Set endpoints.jwks to ${location} once you have checked it serves this organisation's key set, so nothing depends on a redirect.`,
    evidence: { ...evidence, location },
  });
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

function statusOutcome(response: HttpResponse, url: URL, config: ResolvedConfig, evidence: Evidence): CheckOutcome<never> {
  const { status } = response;
  const said = errorBodySummary(response.body);
  const snippet = bodySnippet(response.body.toString('utf8'));
  let hint: string;
  if (status === 404) {
    hint = `Check organisationId (${config.organisationId}) and endpoints.jwks: no key set is published at this URL, and a new organisation has none until a key is registered in the portal.`;
  } else if (status === 401 || status === 403 || status === 407) {
    hint = `Something between golive and ${url.host} refuses the request (the JWKS is public): check the proxy (HTTPS_PROXY, NO_PROXY) or firewall.`;
  } else if (status >= 500) {
    hint = `The JWKS host has a problem: rerun later; if it persists, send this check's evidence to the platform's support.`;
  } else {
    hint = `Check that endpoints.jwks (${url.href}) is the organisation's JWKS URL.`;
  }
  return fail({
    message: `The JWKS URL answered HTTP ${status} instead of 200${said === undefined ? '.' : `: "${said}"${/[.!?]$/.test(said) ? '' : '.'}`}`,
    hint,
    evidence: { ...evidence, ...(snippet !== '' && !snippet.includes('\ufffd') && { bodyStart: snippet }) },
  });
}

function problemFinding(problem: JwksProblem, contentType: string | undefined, url: URL): Finding {
  const served = contentType ? `served as ${contentType}` : 'with no content type';
  const checkUrl = `Check that endpoints.jwks (${url.href}) is the organisation's JWKS URL (…/jwks.json).`;
  switch (problem.code) {
    case 'empty-body':
      return { message: `The JWKS URL answered 200 with an empty body (${served}).`, hint: checkUrl };
    case 'html':
      return {
        message: `The JWKS URL answered 200 with an HTML page (${served}${problem.title === undefined ? '' : `, title "${problem.title}"`}), not a JSON Web Key Set.`,
        hint: `A proxy, captive portal or sign-in page answered, or the URL is wrong: fetch ${url.href} with curl from this machine, and let requests to ${url.host} through the proxy.`,
      };
    case 'binary':
      return { message: `The JWKS URL answered 200 with ${problem.bytes} bytes of binary data (${served}), not JSON.`, hint: checkUrl };
    case 'not-json':
      return {
        message: `The JWKS URL answered 200 with a body that is not JSON (${served}): it starts "${bodySnippet(problem.start, 60)}".`,
        hint: checkUrl,
      };
    case 'not-object':
      return { message: `The JWKS is ${problem.jsonType}, not an object with a "keys" array.`, hint: checkUrl };
    case 'no-keys': {
      const discovery = problem.members.includes('jwks_uri') || problem.members.includes('issuer');
      return {
        message: `The JWKS is JSON without a "keys" array (members: ${problem.members.join(', ') || 'none'}).`,
        hint: discovery
          ? 'This looks like OpenID / OAuth server metadata: set endpoints.jwks to its jwks_uri, the organisation key set.'
          : checkUrl,
      };
    }
    case 'keys-not-array':
      return { message: `The JWKS "keys" member is ${problem.keysType}, not an array.`, hint: checkUrl };
    case 'empty-keys':
      return {
        message: 'The JWKS holds no keys ("keys": []), so no key is registered for this organisation.',
        hint: 'Register the signing certificate for this organisation and environment in the portal, then rerun.',
      };
    case 'no-key-objects':
      return {
        message: `None of the ${problem.entries} entries of the JWKS "keys" is a key object (found ${problem.types.join(', ')}).`,
        hint: checkUrl,
      };
  }
}

function describeIssue(issue: KeyIssue): string {
  return `key ${issue.index}${issue.kid === undefined ? '' : ` (kid "${issue.kid}")`} ${issue.detail}`;
}

function issueFinding(issues: readonly KeyIssue[], keyCount: number): Finding {
  const shown = issues.slice(0, ISSUES_IN_MESSAGE).map(describeIssue);
  const more = issues.length > ISSUES_IN_MESSAGE ? `; and ${issues.length - ISSUES_IN_MESSAGE} more` : '';
  const affected = new Set(issues.map((issue) => issue.index)).size;
  const hints: string[] = [];
  if (issues.some((issue) => issue.code === 'private-members')) {
    hints.push('A published private key is compromised: revoke it in the portal and register a new key.');
  }
  if (issues.some((issue) => issue.code === 'no-kid' || issue.code === 'duplicate-kid')) {
    hints.push('The platform picks a key by the kid in the assertion header, so a key without a unique kid cannot be chosen: re-register it in the portal.');
  }
  if (hints.length === 0) hints.push('Entries that are not complete keys are ignored when matching; re-register them in the portal if they should count.');
  return { message: `${affected} of ${keyCount} JWKS keys look wrong: ${shown.join('; ')}${more}.`, hint: hints.join(' ') };
}

export default defineCheck({
  id: 'jwks.fetch',
  title: 'Organisation JWKS answers',
  needs: [configConsistency],
  online: true,
  explain: {
    verifies: `The organisation JWKS URL (default ${THREDD.jwksTemplate}) answers 200 with a JSON Web Key Set (an object with a \`keys\` array). Reports timings, size and content type.`,
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
  async run(ctx, deps): Promise<CheckOutcome<FetchedJwks>> {
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
        return fail({
          message: `http.ca (${config.http.ca ?? ''}) could not be read for the https JWKS URL: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
          hint: 'Make http.ca a readable PEM file of the extra trust anchors, or remove it.',
          evidence: { url: url.href },
        });
      }
    }

    let response: HttpResponse;
    try {
      response = await ctx.http.request({ url: url.href, method: 'GET', headers: { accept: 'application/json' }, maxBytes, timeoutMs, material });
    } catch (error) {
      if (error instanceof HttpFailure) return failureOutcome(error, url, timeoutMs, proxy, ctx.env);
      throw error;
    }

    const contentType = response.headers['content-type'];
    const evidence: Evidence = {
      url: url.href,
      status: response.status,
      ...(contentType !== undefined && { contentType }),
      bytes: response.bytesRead,
      fetchMs: response.timings.totalMs,
      headersMs: response.timings.headersMs,
      ...(response.headers['content-length'] !== undefined && { contentLength: Number(response.headers['content-length']) }),
      ...(response.headers.date !== undefined && { serverDate: response.headers.date }),
      ...(proxy !== undefined && { proxy: describeProxy(proxy) }),
    };

    if (response.status >= 300 && response.status < 400) return redirectOutcome(response, url, evidence);
    if (response.status !== 200) return statusOutcome(response, url, config, evidence);
    if (response.truncated) {
      const announced = evidence.contentLength === undefined ? '' : ` of ${String(evidence.contentLength)} announced`;
      return fail({
        message: `The JWKS body is larger than http.jwksMaxBytes (${maxBytes} bytes): stopped reading at ${response.bytesRead} bytes${announced}.`,
        hint: `A key set is normally a few kilobytes: check that endpoints.jwks (${url.href}) is the organisation's JWKS; raise http.jwksMaxBytes only if it really publishes that many keys.`,
        evidence: { ...evidence, maxBytes },
      });
    }

    const parsed = parseJwks(response.body, contentType);
    if (!parsed.ok) {
      return fail({ ...problemFinding(parsed.problem, contentType, url), evidence: { ...evidence, problem: parsed.problem.code } });
    }

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
    const findings: Finding[] = [];
    if (!isJsonContentType(contentType)) {
      findings.push({
        message: `The JWKS parses, but is served ${contentType ? `as ${contentType}` : 'with no content type'} rather than application/json.`,
        hint: 'Nothing to change in the config: a stricter client may refuse this type, so mention it to the JWKS host operator.',
      });
    }
    if (parsed.issues.length > 0) findings.push(issueFinding(parsed.issues, parsed.keys.length));
    if (findings.length > 0) {
      return warn(
        {
          message: findings.map((finding) => finding.message).join(' '),
          hint: findings.map((finding) => finding.hint).join(' '),
          evidence: { ...found, ...(parsed.issues.length > 0 && { keyIssues: parsed.issues }) },
        },
        output,
      );
    }
    const count = parsed.keys.length;
    return pass(
      output,
      found,
      `The JWKS answered 200 in ${response.timings.totalMs} ms with ${count} key${count === 1 ? '' : 's'} (${response.bytesRead} bytes): ${kidList(parsed.kids, KIDS_IN_MESSAGE)}.`,
    );
  },
});
