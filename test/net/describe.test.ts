import { describe, expect, it } from 'vitest';
import type { Layer, NetworkFailure } from '../../src/net/classify.js';
import { describeNetworkFailure, type FailedConnection, type FirstContact } from '../../src/net/describe.js';

// The checks describe their own failures through this function, against real
// servers (network.*, jwks.fetch, probe.call); these cases pin what a caller
// gets for the inputs those servers cannot easily produce: a plain-http host,
// an HTTP parser error, a body that stops coming, a failure without the
// presented certificate, a public host asking for a client certificate.

const JWKS: Omit<FailedConnection, 'failure'> = {
  role: 'JWKS host',
  url: 'http://jwks.example/org-1/jwks.json',
  field: 'endpoints.jwks',
  env: {},
  attempt: { kind: 'probe', connectivity: 'tls' },
};

const TOKEN_REQUEST: Omit<FailedConnection, 'failure'> = {
  role: 'token host',
  url: 'https://threddid.example/oauth2/token',
  field: 'endpoints.token',
  env: {},
  attempt: { kind: 'request', request: 'token request', probedBy: 'network.token-endpoint' },
};

const refused: NetworkFailure = { layer: 'tcp', code: 'ECONNREFUSED', reason: 'the connection was refused (nothing listens on that port, or a firewall rejects it)' };

describe('describeNetworkFailure', () => {
  it.each<[Layer, string]>([
    ['dns', 'dns'],
    ['tcp', 'tcp'],
    ['timeout', 'timeout'],
    ['proxy', 'proxy'],
    ['tls-trust', 'tls-untrusted'],
    ['tls-expired', 'tls-expired'],
    ['tls-hostname', 'tls-hostname'],
    ['tls-client-certificate', 'client-certificate-refused'],
    ['tls', 'tls-other'],
    ['http', 'http'],
  ])('names a failure at the %s layer %s, on a first contact and on a request alike', (layer, code) => {
    const failure: NetworkFailure = { layer, code: 'SOME_CODE', reason: 'it failed' };
    expect(describeNetworkFailure({ ...JWKS, failure }).code).toBe(code);
    expect(describeNetworkFailure({ ...TOKEN_REQUEST, failure }).code).toBe(code);
  });

  const HTTPS_JWKS = 'https://jwks.example/org-1/jwks.json';
  const CERTIFICATE_REQUIRED: NetworkFailure = {
    layer: 'tls-client-certificate',
    code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    reason: 'the TLS handshake failed: certificate required (alert 116): the server requires a client certificate and none was accepted',
    alert: 116,
  };
  const NOT_HTTP: NetworkFailure = { layer: 'http', code: 'HPE_INVALID_CONSTANT', reason: 'the server answered with something that is not HTTP' };
  const NOT_TLS: NetworkFailure = { layer: 'tls', code: 'ERR_SSL_WRONG_VERSION_NUMBER', reason: 'the server did not answer with TLS (is it plain http on this port?)' };
  const PROXY = 'http://user:secret@proxy.corp.example:3128';

  it('names an answer undici could not parse as HTTP not-http, on a first contact and on a request alike', () => {
    expect(describeNetworkFailure({ ...JWKS, failure: NOT_HTTP }).code).toBe('not-http');
    expect(describeNetworkFailure({ ...TOKEN_REQUEST, failure: NOT_HTTP }).code).toBe('not-http');
  });

  it.each<{ name: string; failure: NetworkFailure; url?: string; env?: Record<string, string>; attempt?: FirstContact; code: string; message: string; hint: string }>([
    {
      name: 'on a plain-http host, advises on outbound HTTP to port 80 and HTTP_PROXY',
      failure: refused,
      code: 'tcp',
      message: 'TCP: JWKS host jwks.example:80: the connection was refused (nothing listens on that port, or a firewall rejects it) (ECONNREFUSED).',
      hint: 'Check that outbound HTTP to jwks.example:80 is allowed by your firewall (your egress IP may need allow-listing). If you must go through a proxy, set HTTP_PROXY.',
    },
    {
      name: 'says when something that is not HTTP answered, and where to look',
      failure: NOT_HTTP,
      code: 'not-http',
      message: 'HTTP: JWKS host jwks.example:80: the server answered with something that is not HTTP (HPE_INVALID_CONSTANT).',
      hint: 'Check the scheme and port of endpoints.jwks (http://jwks.example/org-1/jwks.json): another service answers there.',
    },
    {
      name: 'says when something that is not HTTP answered through a proxy, and names the proxy',
      failure: NOT_HTTP,
      env: { HTTP_PROXY: PROXY },
      code: 'not-http',
      message: 'HTTP: JWKS host jwks.example:80: the server answered with something that is not HTTP (HPE_INVALID_CONSTANT).',
      hint: 'Check the scheme and port of endpoints.jwks (http://jwks.example/org-1/jwks.json): another service answers there. A proxy is set (HTTP_PROXY http://proxy.corp.example:3128).',
    },
    {
      name: 'on another failed HTTP exchange, says to fetch the URL by hand',
      failure: { layer: 'http', code: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', reason: 'the HTTP exchange failed' },
      code: 'http',
      message: 'HTTP: JWKS host jwks.example:80: the HTTP exchange failed (UND_ERR_RES_CONTENT_LENGTH_MISMATCH).',
      hint: 'Fetch http://jwks.example/org-1/jwks.json with curl from this machine to see the failure, and check endpoints.jwks.',
    },
    {
      name: 'on a host that does not speak TLS, says to check the URL',
      failure: NOT_TLS,
      url: HTTPS_JWKS,
      code: 'tls-other',
      message: 'TLS: JWKS host jwks.example:443: the server did not answer with TLS (is it plain http on this port?) (ERR_SSL_WRONG_VERSION_NUMBER).',
      hint: 'Check that endpoints.jwks is an https URL of the platform.',
    },
    {
      name: 'on a host that does not speak TLS through a proxy, names the proxy',
      failure: NOT_TLS,
      url: HTTPS_JWKS,
      env: { HTTPS_PROXY: PROXY },
      code: 'tls-other',
      message: 'TLS: JWKS host jwks.example:443: the server did not answer with TLS (is it plain http on this port?) (ERR_SSL_WRONG_VERSION_NUMBER).',
      hint: 'Check that endpoints.jwks is an https URL of the platform. A proxy is set (HTTPS_PROXY http://proxy.corp.example:3128).',
    },
    {
      name: 'a body that stops coming says the host is slow, not that the way is blocked',
      failure: { layer: 'timeout', code: 'GOLIVE_TIMEOUT', reason: 'the server sent the response headers but not the whole body within 1000 ms', step: 'body' },
      code: 'timeout',
      message: 'HTTP: JWKS host jwks.example:80: the server sent the response headers but not the whole body within 1000 ms (GOLIVE_TIMEOUT).',
      hint: 'The JWKS host answers, but slowly: rerun, and raise --timeout only if the host is known to be slow.',
    },
    ...(['tls', 'mtls'] as const).map((connectivity) => ({
      name: `a host that asks for a client certificate golive never sends it is the wrong host (${connectivity} config)`,
      failure: CERTIFICATE_REQUIRED,
      url: HTTPS_JWKS,
      attempt: { kind: 'probe' as const, connectivity, anonymous: true },
      code: 'client-certificate-refused',
      message:
        'mTLS: JWKS host jwks.example:443 refused the client certificate: certificate required (alert 116): the server requires a client certificate and none was accepted.',
      hint: 'No client certificate goes to a JWKS host, as it serves a public resource: check that endpoints.jwks is the URL the platform documents, not an mTLS host.',
    })),
    {
      name: 'without the presented certificate, a hostname mismatch gives the reason instead of the names',
      failure: { layer: 'tls-hostname', code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason: 'the server certificate does not name this host' },
      url: HTTPS_JWKS,
      code: 'tls-hostname',
      message: 'TLS: JWKS host jwks.example:443: the server certificate does not name this host (ERR_TLS_CERT_ALTNAME_INVALID).',
      hint: 'Check endpoints.jwks: use the host name the platform documents, not an IP address or an alias.',
    },
  ])('$name', ({ failure, url, env, attempt, code, message, hint }) => {
    const described = describeNetworkFailure({ ...JWKS, failure, ...(url && { url }), ...(env && { env }), ...(attempt && { attempt }) });
    expect(described).toEqual({ code, message, hint });
    expect(JSON.stringify(described)).not.toContain('secret');
  });

  it.each(['tls', 'http'] as const)('a first contact that hangs after TCP connected (%s step) is slow or stuck, never blamed on a firewall', (step) => {
    const failure: NetworkFailure = { layer: 'timeout', code: 'GOLIVE_TIMEOUT', reason: 'no answer within 1000 ms', step };
    const described = describeNetworkFailure({ ...JWKS, failure });
    expect(described.code).toBe('timeout');
    expect(described.message).toBe(`${step.toUpperCase()}: JWKS host jwks.example:80: no answer within 1000 ms (GOLIVE_TIMEOUT).`);
    expect(described.hint).toBe(
      "The JWKS host accepted the TCP connection, so nothing blocks the way: it is slow or stuck. Retry; raise --timeout only if the host is known to be slow, and if it persists send this report to the host's operator.",
    );
    expect(described.hint).not.toMatch(/firewall/);
  });

  it('a request after a passing probe names the request, the layer and the check that reached the host', () => {
    const failure: NetworkFailure = { layer: 'tcp', code: 'ECONNRESET', reason: 'the connection was reset by the server or a middlebox' };
    expect(describeNetworkFailure({ ...TOKEN_REQUEST, failure })).toEqual({
      code: 'tcp',
      message: 'The token request to https://threddid.example/oauth2/token failed at the tcp layer: the connection was reset by the server or a middlebox (ECONNRESET).',
      hint: 'The connection worked for network.token-endpoint but failed for the token request: retry, and check proxies and firewalls between this machine and the token host.',
    });
  });

  it('a request that timed out, or whose client certificate was refused, says so', () => {
    const timeout: NetworkFailure = { layer: 'timeout', code: 'GOLIVE_TIMEOUT', reason: 'no answer in 1000 ms', step: 'http' };
    expect(describeNetworkFailure({ ...TOKEN_REQUEST, failure: timeout })).toEqual({
      code: 'timeout',
      message: 'The token request to https://threddid.example/oauth2/token timed out: no answer in 1000 ms (GOLIVE_TIMEOUT).',
      hint: 'The token host is slow or a middlebox holds the request: retry, raise --timeout, and if it persists send this report to Thredd support.',
    });
    const refusedCertificate: NetworkFailure = { layer: 'tls-client-certificate', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', reason: 'the server requires a client certificate' };
    expect(describeNetworkFailure({ ...TOKEN_REQUEST, failure: refusedCertificate })).toMatchObject({
      code: 'client-certificate-refused',
      hint: 'The token host refused the client certificate on the token request: check transport.certificate (see network.token-endpoint).',
    });
  });

  it('a request that failed at its proxy gets the proxy advice, never the proxy credentials', () => {
    const failure: NetworkFailure = { layer: 'timeout', code: 'GOLIVE_TIMEOUT', reason: 'the proxy did not answer', step: 'proxy', proxy: 'http://proxy.corp.example:3128' };
    const described = describeNetworkFailure({ ...TOKEN_REQUEST, env: { HTTPS_PROXY: 'http://user:secret@proxy.corp.example:3128' }, failure });
    expect(described.hint).toBe(
      'Check HTTPS_PROXY (http://proxy.corp.example:3128): the proxy must be up and allow CONNECT to threddid.example:443; if this host should be reached directly, add threddid.example to NO_PROXY.',
    );
    expect(JSON.stringify(described)).not.toContain('secret');
  });
});
