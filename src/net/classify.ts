import { ProxyFailure, StepTimeout, type NetworkStep } from './connect.js';

/** Node's limit on response headers. node:http takes ~8 ms to load: only this rare failure reads it, and an offline run never does. */
function maxHeaderSize(): number {
  return process.getBuiltinModule('node:http').maxHeaderSize;
}

/**
 * Names the layer a network failure happened at, from Node, OpenSSL and
 * undici error codes, in words a person can act on. The original code is
 * kept for the evidence.
 */
export type Layer = 'dns' | 'tcp' | 'proxy' | 'tls-trust' | 'tls-expired' | 'tls-hostname' | 'tls-client-certificate' | 'tls' | 'http' | 'timeout';

export interface NetworkFailure {
  layer: Layer;
  code: string;
  /** What went wrong, without the host (the caller adds it). */
  reason: string;
  /** The TLS alert number, when the server sent one. */
  alert?: number;
  /** The step that timed out (a timeout only). */
  step?: NetworkStep;
  /** The proxy in the path, without credentials, when the failure is the proxy's or happened through it. */
  proxy?: string;
}

const TRUST = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
]);

/** TLS alerts by OpenSSL's reason code suffix: number and meaning. */
const ALERTS: Record<string, { alert: number; words: string }> = {
  HANDSHAKE_FAILURE: { alert: 40, words: 'handshake failure (alert 40): the server accepted none of the offered parameters or certificates' },
  BAD_CERTIFICATE: { alert: 42, words: 'bad certificate (alert 42): the server rejected the client certificate' },
  UNSUPPORTED_CERTIFICATE: { alert: 43, words: 'unsupported certificate (alert 43): the server rejected the client certificate type' },
  CERTIFICATE_REVOKED: { alert: 44, words: 'certificate revoked (alert 44): the server says the client certificate is revoked' },
  CERTIFICATE_EXPIRED: { alert: 45, words: 'certificate expired (alert 45): the server says the client certificate has expired' },
  CERTIFICATE_UNKNOWN: { alert: 46, words: 'certificate unknown (alert 46): the server could not accept the client certificate' },
  UNKNOWN_CA: { alert: 48, words: 'unknown CA (alert 48): the server does not trust the issuer of the client certificate' },
  ACCESS_DENIED: { alert: 49, words: 'access denied (alert 49): the server refused the client certificate' },
  PROTOCOL_VERSION: { alert: 70, words: 'protocol version (alert 70): no TLS version in common with the server' },
  CERTIFICATE_REQUIRED: { alert: 116, words: 'certificate required (alert 116): the server requires a client certificate and none was accepted' },
};

const CLIENT_CERTIFICATE_ALERTS = new Set([42, 43, 44, 45, 46, 48, 49, 116]);

export function errorCode(error: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = error;
  // undici wraps socket errors in `cause`: the innermost code is the informative one.
  let code = 'UNKNOWN';
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const candidate = (current as { code?: unknown }).code;
    if (typeof candidate === 'string') code = candidate;
    // undici's parser error carries no code of its own.
    else if ((current as { name?: unknown }).name === 'HTTPParserError' && code === 'UNKNOWN') code = 'HPE_INVALID';
    current = (current as { cause?: unknown }).cause;
  }
  return code;
}

/** Node's codes for a module that cannot be loaded: a broken install, not the network. */
const LOADING = new Set(['ERR_MODULE_NOT_FOUND', 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'ERR_UNSUPPORTED_DIR_IMPORT', 'ERR_INVALID_PACKAGE_CONFIG', 'ERR_UNKNOWN_FILE_EXTENSION']);

/** golive could not load its own network code: not a failure of any host to diagnose (the check reports an internal error). */
export function isLoadingFailure(error: unknown): boolean {
  return LOADING.has(errorCode(error));
}

export function classifyNetworkError(error: unknown): NetworkFailure {
  // Our own timeouts and tunnel failures already say which step and proxy.
  if (error instanceof StepTimeout) {
    return { layer: 'timeout', code: error.code, reason: error.message, step: error.step, ...(error.proxy !== undefined && { proxy: error.proxy }) };
  }
  if (error instanceof ProxyFailure) {
    const cause = error.cause === undefined ? undefined : classifyNetworkError(error.cause);
    return { layer: 'proxy', code: error.code, reason: cause ? `${error.message}: ${cause.reason}` : error.message, proxy: error.proxy };
  }
  const code = errorCode(error);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'ENODATA') {
    return { layer: 'dns', code, reason: code === 'EAI_AGAIN' ? 'the DNS lookup failed temporarily' : 'the host name does not resolve (DNS)' };
  }
  if (code === 'ECONNREFUSED') return { layer: 'tcp', code, reason: 'the connection was refused (nothing listens on that port, or a firewall rejects it)' };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { layer: 'tcp', code, reason: 'the host is unreachable from this network' };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') {
    return { layer: 'tcp', code, reason: 'the connection was reset by the server or a middlebox' };
  }
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { layer: 'timeout', code, reason: 'the connection timed out (a firewall dropping packets, or the host is down)' };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED') {
    return { layer: 'timeout', code, reason: 'the server did not answer in time' };
  }
  if (TRUST.has(code)) {
    return { layer: 'tls-trust', code, reason: 'the server certificate is not trusted (unknown or self-signed issuer)' };
  }
  if (code === 'CERT_HAS_EXPIRED') return { layer: 'tls-expired', code, reason: 'the server certificate has expired' };
  if (code === 'CERT_NOT_YET_VALID') return { layer: 'tls-expired', code, reason: 'the server certificate is not valid yet (or the local clock is wrong)' };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return { layer: 'tls-hostname', code, reason: 'the server certificate does not name this host' };
  }
  const alert = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z_]+)$/.exec(code)?.[1];
  if (alert && ALERTS[alert]) {
    const { alert: number, words } = ALERTS[alert];
    return { layer: CLIENT_CERTIFICATE_ALERTS.has(number) ? 'tls-client-certificate' : 'tls', code, reason: `the TLS handshake failed: ${words}`, alert: number };
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return { layer: 'tls', code, reason: 'the server did not answer with TLS (is it plain http on this port?)' };
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return { layer: 'tls', code, reason: 'the TLS handshake failed' };
  if (code === 'UND_ERR_PROXY') return { layer: 'proxy', code, reason: 'the proxy refused or failed the tunnel' };
  if (code === 'UND_ERR_HEADERS_OVERFLOW' || code === 'HPE_HEADER_OVERFLOW') {
    return { layer: 'http', code, reason: `the response headers are larger than the ${maxHeaderSize() / 1024} KB golive reads` };
  }
  if (code.startsWith('HPE_')) return { layer: 'http', code, reason: 'the server answered with something that is not HTTP' };
  if (code.startsWith('UND_ERR_')) return { layer: 'http', code, reason: 'the HTTP exchange failed' };
  return { layer: 'tcp', code, reason: 'the connection failed' };
}

