import { describe, expect, it } from 'vitest';
import type { Layer, NetworkFailure } from '../../src/net/classify.js';
import { describeNetworkFailure, type FailedConnection } from '../../src/net/describe.js';

// The checks describe their own failures through this function, against real
// servers (network.*, probe.call); these cases pin what a caller gets for the
// inputs those servers cannot easily produce: a plain-http host, an HTTP
// parser error, a failure without the presented certificate.

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

  it('on a plain-http host, advises on outbound HTTP to port 80 and HTTP_PROXY', () => {
    expect(describeNetworkFailure({ ...JWKS, failure: refused })).toEqual({
      code: 'tcp',
      message: 'TCP: JWKS host jwks.example:80: the connection was refused (nothing listens on that port, or a firewall rejects it) (ECONNREFUSED).',
      hint: 'Check that outbound HTTP to jwks.example:80 is allowed by your firewall (your egress IP may need allow-listing). If you must go through a proxy, set HTTP_PROXY.',
    });
  });

  it('says when something that is not HTTP answered, and where to look', () => {
    const failure: NetworkFailure = { layer: 'http', code: 'HPE_INVALID_CONSTANT', reason: 'the server answered with something that is not HTTP' };
    expect(describeNetworkFailure({ ...JWKS, failure })).toMatchObject({
      message: 'HTTP: JWKS host jwks.example:80: the server answered with something that is not HTTP (HPE_INVALID_CONSTANT).',
      hint: 'Check the scheme and port of endpoints.jwks (http://jwks.example/org-1/jwks.json): another service answers there.',
    });
  });

  it('without the presented certificate, a hostname mismatch gives the reason instead of the names', () => {
    const failure: NetworkFailure = { layer: 'tls-hostname', code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason: 'the server certificate does not name this host' };
    const described = describeNetworkFailure({ ...JWKS, url: 'https://jwks.example/org-1/jwks.json', failure });
    expect(described.message).toBe('TLS: JWKS host jwks.example:443: the server certificate does not name this host (ERR_TLS_CERT_ALTNAME_INVALID).');
    expect(described.hint).toBe('Check endpoints.jwks: use the host name the platform documents, not an IP address or an alias.');
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
