import type { Connectivity } from '../config/types.js';
import { findingsOf, type Finding, type FindingText } from '../pipeline/findings.js';
import type { Layer, NetworkFailure } from './classify.js';
import { PROXY_AUTHENTICATION_CODE, type NetworkStep } from './connect.js';
import type { ServerCertificate } from './probe.js';
import { describeProxy, proxyAdvice, proxyFor, proxyVariable } from './proxy.js';

/**
 * One description of a connection that failed, for every check that makes
 * requests: the finding's code names the layer, and the text tells the
 * host's role, the config field to check and the proxy in the way.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** The finding of each layer: what the report's `code` says whichever check met the failure. */
const LAYER_CODES = {
  dns: 'dns',
  tcp: 'tcp',
  timeout: 'timeout',
  proxy: 'proxy',
  'tls-trust': 'tls-untrusted',
  'tls-expired': 'tls-expired',
  'tls-hostname': 'tls-hostname',
  'tls-client-certificate': 'client-certificate-refused',
  tls: 'tls-other',
  http: 'http',
} as const satisfies Record<Layer, string>;

export type NetworkFailureCode = (typeof LAYER_CODES)[Layer] | 'not-http';

/** The finding of a failure: its layer's, except that an answer undici could not parse as HTTP (its `HPE_` codes) is `not-http`. */
function codeOf(failure: NetworkFailure): NetworkFailureCode {
  return failure.layer === 'http' && failure.code.startsWith('HPE_') ? 'not-http' : LAYER_CODES[failure.layer];
}

/** The first connection to a host (a layer probe, or a fetch nothing probed before): the text names the failing layer. */
export interface FirstContact {
  kind: 'probe';
  /** Whether the config presents a client certificate: what a refused handshake asks to fix. */
  connectivity: Connectivity;
  /** The certificate an untrusted, expired or misnamed server presented, when it was read. */
  presented?: ServerCertificate;
  /** Why no client certificate went out although the config is mtls (e.g. the transport key does not load). */
  problem?: string;
  /** No client certificate ever goes to this host, whatever the config: it serves a public resource (the JWKS). */
  anonymous?: boolean;
}

/** A request to a host that a layer probe reached moments before: the text names the request, not the layer. */
export interface AfterProbe {
  kind: 'request';
  /** What was sent, in words that follow "the": `token request`, `probe request (GET /core/api/v1/products)`. */
  request: string;
  /** The check whose probe reached the host, e.g. `network.api-endpoint`. */
  probedBy: string;
}

export interface FailedConnection {
  /** The failure as classified: layer, code, reason, step, TLS alert and proxy. */
  failure: NetworkFailure;
  /** The host's role, in words: "token host", "API host", "JWKS host". */
  role: string;
  url: string;
  /** The config field the URL comes from, e.g. `endpoints.token`. */
  field: string;
  /** The run's environment: which proxy the connection went through, and the variables to advise on. */
  env: Env;
  attempt: FirstContact | AfterProbe;
}

/** Where the connection went: the input's host, port and proxy worked out. */
interface Located extends Omit<FailedConnection, 'attempt' | 'url'> {
  target: URL;
  host: string;
  port: number;
  /** `token host 127.0.0.1:8443` */
  where: string;
  /** The proxy the connection went through, without credentials. */
  proxy: string | undefined;
}

type ProbeFacts = Located & Omit<FirstContact, 'kind'>;
type RequestFacts = Located & Omit<AfterProbe, 'kind'> & { url: string };

const STEP_NAMES: Record<NetworkStep, string> = { dns: 'DNS', tcp: 'TCP', proxy: 'Proxy', tls: 'TLS', http: 'HTTP', body: 'HTTP' };

/** A proxy that answered 407: it wants a user and password, given in the variable that names it. */
function proxyCredentialsHint({ target, env, proxy }: Located): string {
  const variable = proxyVariable(target, env) ?? 'HTTPS_PROXY';
  return `Give the proxy a user and password it accepts in ${variable} (${proxy?.replace(/^(\w+:\/\/)/, '$1user:password@') ?? 'http://user:password@host:port'}, special characters percent-encoded); if ${target.hostname} should be reached directly, add it to NO_PROXY.`;
}

/** What to check when the way to a host goes through a proxy: the variables that chose it, and NO_PROXY to bypass it. */
function proxyHint(facts: ProbeFacts, timedOut: boolean): string {
  const { target, env, proxy } = facts;
  if (facts.failure.code === PROXY_AUTHENTICATION_CODE) return proxyCredentialsHint(facts);
  const advice = proxyAdvice(target, env) ?? `Check the proxy ${proxy ?? ''}.`;
  return `${advice}${timedOut ? ' Raise --timeout only if the proxy is known to be slow.' : ''}`;
}

/** For an answer that is not what was expected: the proxy in the way, which may be what answered. */
function proxyNote({ proxy, target, env }: ProbeFacts): string {
  return proxy ? ` A proxy is set (${proxyVariable(target, env)} ${proxy}).` : '';
}

/** No answer at a layer below TLS: the message names the step that failed or hung. */
const unreachable: FindingText<ProbeFacts> = {
  // A timeout names the step that hung: no TCP answer, no answer to CONNECT, no TLS handshake, or no HTTP response.
  message: ({ failure, where }) => `${failure.step ? STEP_NAMES[failure.step] : 'TCP'}: ${where}: ${failure.reason} (${failure.code}).`,
  hint: (facts) => {
    if (facts.proxy) return proxyHint(facts, facts.failure.layer === 'timeout');
    // The headers came through, so nothing on the way blocks the host: it is slow.
    if (facts.failure.step === 'body') return `The ${facts.role} answers, but slowly: rerun, and raise --timeout only if the host is known to be slow.`;
    // TCP connected, so no firewall blocks the way: the host (or a middlebox in front of it) holds the handshake or the request.
    if (facts.failure.layer === 'timeout' && (facts.failure.step === 'tls' || facts.failure.step === 'http')) {
      return `The ${facts.role} accepted the TCP connection, so nothing blocks the way: it is slow or stuck. Retry; raise --timeout only if the host is known to be slow, and if it persists send this report to the host's operator.`;
    }
    const https = facts.target.protocol === 'https:';
    return `Check that outbound ${https ? 'HTTPS' : 'HTTP'} to ${facts.host}:${facts.port} is allowed by your firewall (your egress IP may need allow-listing). If you must go through a proxy, set ${https ? 'HTTPS_PROXY' : 'HTTP_PROXY'}.`;
  },
};

/** Connected, but the HTTP exchange failed. */
const httpFailed = ({ where, failure }: ProbeFacts): string => `HTTP: ${where}: ${failure.reason} (${failure.code}).`;

/** A first contact's findings, one per code. */
function firstContact() {
  return {
    dns: {
      message: ({ host, role, failure }: ProbeFacts) => `DNS: ${host} does not resolve (${failure.code}); the ${role} cannot be reached.`,
      hint: ({ field }: ProbeFacts) => `Check the spelling of ${field}, and that this machine's DNS (or VPN) can resolve the platform's hosts.`,
    },
    tcp: unreachable,
    timeout: unreachable,
    proxy: {
      message: ({ failure, where }: ProbeFacts) => `Proxy: ${failure.reason}, so the ${where} cannot be reached (${failure.code}).`,
      hint: (facts: ProbeFacts) => proxyHint(facts, false),
    },
    'tls-untrusted': {
      message: ({ where, failure, presented }: ProbeFacts) => {
        const cert = presented ? ` The server presented "${presented.subject}" issued by "${presented.issuer}" (SHA-256 ${presented.fingerprintSha256}).` : '';
        return `TLS: ${where}: ${failure.reason} (${failure.code}).${cert}`;
      },
      hint: ({ proxy, env }: ProbeFacts) =>
        proxy || env.HTTPS_PROXY || env.https_proxy
          ? `A TLS-intercepting proxy is the likely cause: add its CA certificate (PEM) to http.ca. Never turn certificate verification off.`
          : `If this issuer is one you trust (a corporate proxy, a test platform), add its CA certificate (PEM) to http.ca. Never turn certificate verification off.`,
    },
    'tls-expired': {
      message: ({ where, failure, presented }: ProbeFacts) =>
        `TLS: ${where}: ${failure.reason} (${failure.code})${presented ? `; it is valid from ${presented.validFrom} to ${presented.validTo}` : ''}.`,
      hint: () => "Check this machine's clock; if it is right, the server certificate is the platform's to renew: report it to Thredd support with this report.",
    },
    'tls-hostname': {
      // Without the presented certificate (a request over undici), the reason stands in for the names it holds.
      message: ({ where, failure, host, presented }: ProbeFacts) =>
        presented
          ? `TLS: ${where}: the certificate does not name ${host}; it names ${presented.subjectAltNames.join(', ') || 'none'}.`
          : `TLS: ${where}: ${failure.reason} (${failure.code}).`,
      hint: ({ field, presented }: ProbeFacts) =>
        `Check ${field}: use the host name the platform documents${presented ? ` (the certificate is for ${presented.subjectAltNames.join(', ') || 'none'})` : ''}, not an IP address or an alias.`,
    },
    'client-certificate-refused': {
      message: ({ where, failure, problem }: ProbeFacts) =>
        `mTLS: ${where} refused the client certificate: ${failure.reason.replace(/^the TLS handshake failed: /, '')}.${problem ? ` Note: ${problem}.` : ''}`,
      hint: ({ connectivity, anonymous, field, role }: ProbeFacts) => {
        if (anonymous) return `No client certificate goes to a ${role}, as it serves a public resource: check that ${field} is the URL the platform documents, not an mTLS host.`;
        return connectivity === 'mtls'
          ? 'Check that transport.certificate is the certificate registered for mTLS, issued by a CA the platform trusts, not expired, and sent with its intermediates.'
          : `This host requires a client certificate: set connectivity: mtls and add the transport section, or use the TLS host for ${field}.`;
      },
    },
    'tls-other': {
      message: ({ where, failure }: ProbeFacts) => `TLS: ${where}: ${failure.reason} (${failure.code}).`,
      hint: (facts: ProbeFacts) => `Check that ${facts.field} is an https URL of the platform.${proxyNote(facts)}`,
    },
    http: {
      message: httpFailed,
      hint: ({ field, target }: ProbeFacts) => `Fetch ${target.href} with curl from this machine to see the failure, and check ${field}.`,
    },
    'not-http': {
      message: httpFailed,
      hint: (facts: ProbeFacts) => `Check the scheme and port of ${facts.field} (${facts.target.href}): another service answers there.${proxyNote(facts)}`,
    },
  } satisfies Record<NetworkFailureCode, FindingText<ProbeFacts>>;
}

const firstContactFinding = findingsOf(firstContact);

/** Through a proxy, the proxy is the first suspect: the layer probe went through it moments ago. */
function viaProxy(facts: RequestFacts): string | undefined {
  const { failure, target, env } = facts;
  if (failure.code === PROXY_AUTHENTICATION_CODE) return proxyCredentialsHint(facts);
  return failure.proxy === undefined ? undefined : proxyAdvice(target, env);
}

/** A request after a passing probe: the host was reachable moments ago, so the text names the request, not the layer. */
const FAILED_REQUEST: FindingText<RequestFacts> = {
  message: ({ request, url, failure }) => `The ${request} to ${url} failed at the ${failure.layer} layer: ${failure.reason} (${failure.code}).`,
  hint: (facts) =>
    viaProxy(facts) ??
    `The connection worked for ${facts.probedBy} but failed for the ${facts.request}: retry, and check proxies and firewalls between this machine and the ${facts.role}.`,
};

const REQUEST_TIMED_OUT: FindingText<RequestFacts> = {
  message: ({ request, url, failure }) => `The ${request} to ${url} timed out: ${failure.reason} (${failure.code}).`,
  hint: (facts) =>
    viaProxy(facts) ?? `The ${facts.role} is slow or a middlebox holds the request: retry, raise --timeout, and if it persists send this report to Thredd support.`,
};

const REQUEST_CERTIFICATE_REFUSED: FindingText<RequestFacts> = {
  message: FAILED_REQUEST.message,
  hint: (facts) =>
    viaProxy(facts) ??
    `The ${facts.role} refused the client certificate on the ${facts.request}: check transport.certificate (see ${facts.probedBy}).`,
};

/** The finding for a connection that failed: its code (named after the layer), message and hint. */
export function describeNetworkFailure({ url, attempt, ...connection }: FailedConnection): Finding<NetworkFailureCode> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || (target.protocol === 'http:' ? 80 : 443));
  const proxy = proxyFor(target, connection.env);
  const located: Located = {
    ...connection,
    target,
    host,
    port,
    where: `${connection.role} ${host}:${port}`,
    proxy: proxy === undefined ? undefined : describeProxy(proxy),
  };
  const code = codeOf(connection.failure);
  if (attempt.kind === 'probe') return firstContactFinding.text(code, { ...located, ...attempt });
  const facts = { ...located, ...attempt, url };
  const text = code === 'timeout' ? REQUEST_TIMED_OUT : code === 'client-certificate-refused' ? REQUEST_CERTIFICATE_REFUSED : FAILED_REQUEST;
  return { code, message: text.message(facts), hint: text.hint(facts) };
}
