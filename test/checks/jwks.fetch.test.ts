import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwksFetch from '../../checks/jwks.fetch.js';
import type { NetworkFailure } from '../../src/net/classify.js';
import { HttpFailure, type HttpSession } from '../../src/net/http.js';
import { DEFAULT_OPTIONS, type RunContext } from '../../src/pipeline/context.js';
import { startSandbox, type FaultName, type Sandbox } from '../../src/sandbox/index.js';
import { checkSandboxJwks, configWithJwks, fetchJwks } from '../support/jwks-fixtures.js';
import { HUGE_BODY_BYTES, startHostileServer, type HostileServer } from '../support/hostile-servers.js';
import { configVariant, runOnline, sandboxEnv } from '../support/online.js';

let sandbox: Sandbox;
let hostile: HostileServer;

beforeAll(async () => {
  [sandbox, hostile] = await Promise.all([startSandbox({ quiet: true }), startHostileServer()]);
});

afterAll(async () => {
  await Promise.all([sandbox?.close(), hostile?.close()]);
});

const MAX_BYTES = 1_048_576;
/** The most undici hands over in one read: reading stops within one chunk past the cap. */
const ONE_CHUNK = 64 * 1024;

describe('jwks.fetch against the sandbox', () => {
  it.each(['private_key_jwt-tls', 'private_key_jwt-mtls', 'client_secret_post-tls'])('passes for %s, listing the published kids', async (name) => {
    const result = (await checkSandboxJwks(sandbox, name))['jwks.fetch']!;
    const kids = [sandbox.kids.signing, sandbox.kids.signingEs256, sandbox.kids.transport];
    expect(result.status).toBe('pass');
    expect(result.message).toMatch(/^The JWKS answered 200 in [\d.]+ ms with 3 keys \(\d+ bytes\): kids /);
    for (const kid of kids) expect(result.message).toContain(`"${kid}"`);
    expect(result.evidence).toMatchObject({
      url: sandbox.endpoints.jwks,
      status: 200,
      contentType: expect.stringMatching(/^application\/json/),
      bytes: expect.any(Number),
      fetchMs: expect.any(Number),
      kids,
      keyCount: 3,
    });
  });

  // One fault at a time on the shared sandbox, so these run in order.
  const faults: Array<{ fault: FaultName; timeoutMs?: number; code: string; message: RegExp; hint: RegExp; evidence?: Record<string, unknown> }> = [
    {
      fault: 'jwks-500',
      code: 'server-error',
      message: /^The JWKS URL answered HTTP 500 instead of 200: "The key store is unavailable\."$/,
      hint: /JWKS host has a problem: rerun later/,
      evidence: { status: 500, bodyStart: expect.stringContaining('internal_server_error') },
    },
    {
      fault: 'jwks-html',
      code: 'html',
      message: /^The JWKS URL answered 200 with an HTML page \(served as text\/html; charset=utf-8, title "Sign in"\), not a JSON Web Key Set\.$/,
      hint: /proxy, captive portal or sign-in page/,
      evidence: { status: 200, problem: 'html' },
    },
    {
      fault: 'jwks-huge',
      code: 'too-large',
      message: /^The JWKS body is larger than http\.jwksMaxBytes \(1048576 bytes\): stopped reading at \d+ bytes of 3145\d+ announced\.$/,
      hint: /raise http\.jwksMaxBytes only if/,
      evidence: { maxBytes: MAX_BYTES },
    },
    {
      fault: 'jwks-hang',
      timeoutMs: 1_000,
      code: 'timeout',
      message: /^HTTP: JWKS host 127\.0\.0\.1:\d+: the server did not answer the request within 1000 ms \(GOLIVE_TIMEOUT\)\.$/,
      // TCP connected: never blamed on a firewall.
      hint: /^The JWKS host accepted the TCP connection, so nothing blocks the way: it is slow or stuck\. Retry; raise --timeout only if the host is known to be slow/,
      evidence: { layer: 'timeout', code: 'GOLIVE_TIMEOUT', step: 'http', timeoutMs: 1_000 },
    },
  ];

  it.each(faults)('fails on $fault, naming the cause', async ({ fault, timeoutMs, code, message, hint, evidence }) => {
    sandbox.setFaults([fault]);
    try {
      const started = performance.now();
      const results = await checkSandboxJwks(sandbox, 'private_key_jwt-tls', timeoutMs);
      const result = results['jwks.fetch']!;
      expect(result.status).toBe('fail');
      expect(result.code).toBe(code);
      expect(result.message).toMatch(message);
      expect(result.hint).toMatch(hint);
      expect(result.evidence).toMatchObject(evidence ?? {});
      expect(results['jwks.signing-key']).toMatchObject({ status: 'skip', message: 'needs jwks.fetch, which failed' });
      if (timeoutMs !== undefined) expect(performance.now() - started).toBeLessThan(timeoutMs + 1_000);
      if (fault === 'jwks-huge') expect(result.evidence!.bytes as number).toBeLessThanOrEqual(MAX_BYTES + ONE_CHUNK);
    } finally {
      sandbox.setFaults([]);
    }
  });
});

describe('jwks.fetch against hostile servers', () => {
  it('fails on a 20 MB body at the size cap, without reading it all', async () => {
    const result = await fetchJwks(hostile.url('/huge'));
    expect(result).toMatchObject({ status: 'fail', code: 'too-large' });
    expect(result.message).toMatch(/stopped reading at (\d+) bytes of 20971520 announced\.$/);
    const bytes = result.evidence!.bytes as number;
    expect(bytes).toBeGreaterThan(MAX_BYTES);
    expect(bytes).toBeLessThanOrEqual(MAX_BYTES + ONE_CHUNK);
    expect(Number(/stopped reading at (\d+)/.exec(result.message!)![1])).toBe(bytes);
    // The server was cut off: it could not push the whole body through.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hostile.hugeBytesWritten()).toBeLessThan(HUGE_BODY_BYTES);
  });

  it('fails within the timeout plus 1 s on a server that never answers', async () => {
    const result = await fetchJwks(hostile.url('/hang'), { timeoutMs: 500 });
    expect(result).toMatchObject({ status: 'fail', code: 'timeout', evidence: { layer: 'timeout', step: 'http', timeoutMs: 500 } });
    expect(result.message).toMatch(/^HTTP: JWKS host 127\.0\.0\.1:\d+: the server did not answer the request within 500 ms \(GOLIVE_TIMEOUT\)\.$/);
    expect(result.elapsedMs).toBeLessThan(1_500);
  });

  it('fails within the timeout plus 1 s on headers sent a byte at a time', async () => {
    const result = await fetchJwks(hostile.url('/slow-headers'), { timeoutMs: 1_000 });
    expect(result).toMatchObject({ status: 'fail', code: 'timeout', evidence: { layer: 'timeout', step: 'http' } });
    expect(result.message).toMatch(/^HTTP: JWKS host 127\.0\.0\.1:\d+: the server did not answer the request within 1000 ms \(GOLIVE_TIMEOUT\)\.$/);
    expect(result.elapsedMs).toBeLessThan(2_000);
  });

  const failures: Array<{ name: string; path: string; code: string; message: RegExp; hint: RegExp; evidence?: Record<string, unknown> }> = [
    {
      name: 'a redirect to another host (named, not followed)',
      path: '/redirect',
      code: 'redirect',
      message: /^The JWKS URL answered 302 redirecting to http:\/\/jwks\.elsewhere\.example\/org\/jwks\.json on another host; golive does not follow redirects\.$/,
      hint: /^Set endpoints\.jwks to http:\/\/jwks\.elsewhere\.example\/org\/jwks\.json once you have checked/,
      evidence: { status: 302, location: 'http://jwks.elsewhere.example/org/jwks.json' },
    },
    {
      name: 'a redirect to https on the same host',
      path: '/https-upgrade',
      code: 'redirect',
      message: /^The JWKS URL answered 301 redirecting to https:\/\/127\.0\.0\.1:\d+\/https-upgrade; golive does not follow/,
      hint: /^The host moved the JWKS to https: set endpoints\.jwks to https:/,
    },
    {
      name: 'a connection reset in the middle of the body',
      path: '/reset',
      code: 'tcp',
      message: /^TCP: JWKS host 127\.0\.0\.1:\d+: the connection was reset by the server or a middlebox \(\w+\)\.$/,
      hint: /^Check that outbound HTTP to 127\.0\.0\.1:\d+ is allowed by your firewall/,
      evidence: { layer: 'tcp' },
    },
    {
      name: 'an answer that is not HTTP',
      path: '/garbage',
      code: 'not-http',
      message: /^HTTP: JWKS host 127\.0\.0\.1:\d+: the server answered with something that is not HTTP \(HPE_\w+\)\.$/,
      hint: /^Check the scheme and port of endpoints\.jwks \(http:\/\/127\.0\.0\.1:\d+\/garbage\): another service answers there\.$/,
      evidence: { layer: 'http', code: expect.stringMatching(/^HPE_/) },
    },
    {
      name: 'a binary body',
      path: '/binary',
      code: 'binary',
      message: /^The JWKS URL answered 200 with 2048 bytes of binary data \(served as application\/octet-stream\), not JSON\.$/,
      hint: /^Check that endpoints\.jwks/,
      evidence: { problem: 'binary' },
    },
    {
      name: 'a 404',
      path: '/no/such/jwks.json',
      code: 'not-found',
      message: /^The JWKS URL answered HTTP 404 instead of 200\.$/,
      hint: /^Check organisationId \(org-1\) and endpoints\.jwks/,
      evidence: { status: 404 },
    },
  ];

  it.each(failures)('fails on $name', async ({ path, code, message, hint, evidence }) => {
    const result = await fetchJwks(hostile.url(path));
    expect(result.status).toBe('fail');
    expect(result.code).toBe(code);
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(hint);
    expect(result.evidence).toMatchObject(evidence ?? {});
    expect(result.output).toBeUndefined();
  });

  it('fails naming the size of the headers when they are larger than golive reads (20 KB)', async () => {
    const big = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Debug: ${'a'.repeat(20_000)}\r\nContent-Length: 11\r\n\r\n{"keys":[]}`));
    });
    await new Promise<void>((resolve) => big.listen(0, '127.0.0.1', resolve));
    const { port } = big.address() as { port: number };
    try {
      const result = await fetchJwks(`http://127.0.0.1:${port}/org/jwks.json`);
      expect(result).toMatchObject({ status: 'fail', code: 'http', evidence: { layer: 'http', code: 'UND_ERR_HEADERS_OVERFLOW' } });
      expect(result.message).toBe(`HTTP: JWKS host 127.0.0.1:${port}: the response headers are larger than the 16 KB golive reads (UND_ERR_HEADERS_OVERFLOW).`);
      expect(result.hint).toBe(`Fetch http://127.0.0.1:${port}/org/jwks.json with curl from this machine to see the failure, and check endpoints.jwks.`);
    } finally {
      await new Promise((resolve) => big.close(resolve));
    }
  });

  it('fails naming the layer, code and host when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const result = await fetchJwks(`http://127.0.0.1:${port}/org/jwks.json`);
    expect(result).toMatchObject({ status: 'fail', code: 'tcp', evidence: { layer: 'tcp', code: 'ECONNREFUSED', host: `127.0.0.1:${port}` } });
    expect(result.message).toBe(
      `TCP: JWKS host 127.0.0.1:${port}: the connection was refused (nothing listens on that port, or a firewall rejects it) (ECONNREFUSED).`,
    );
    expect(result.hint).toBe(
      `Check that outbound HTTP to 127.0.0.1:${port} is allowed by your firewall (your egress IP may need allow-listing). If you must go through a proxy, set HTTP_PROXY.`,
    );
  });

  const KEY = { kty: 'RSA', kid: 'k1', use: 'sig', n: 'sXch', e: 'AQAB' };
  const bodies: Array<{ name: string; body: string; type?: string | null; status: 'pass' | 'warn' | 'fail'; code?: string; message: RegExp; hint?: RegExp }> = [
    { name: 'a JSON Web Key Set', body: JSON.stringify({ keys: [KEY] }), status: 'pass', message: /with 1 key \(\d+ bytes\): kid "k1"\.$/ },
    {
      name: 'application/jwk-set+json',
      body: JSON.stringify({ keys: [KEY] }),
      type: 'application/jwk-set+json',
      status: 'pass',
      message: /^The JWKS answered 200/,
    },
    {
      name: 'a key set served as text/plain',
      body: JSON.stringify({ keys: [KEY] }),
      type: 'text/plain',
      status: 'warn',
      code: 'content-type-not-json',
      message: /^The JWKS parses, but is served as text\/plain rather than application\/json\.$/,
      hint: /mention it to the JWKS host operator/,
    },
    {
      name: 'a key set with no content type',
      body: JSON.stringify({ keys: [KEY] }),
      type: null,
      status: 'warn',
      code: 'content-type-not-json',
      message: /served with no content type rather than application\/json/,
    },
    {
      name: 'keys without a kid',
      body: JSON.stringify({ keys: [KEY, { kty: 'RSA', use: 'sig', n: 'abc', e: 'AQAB' }] }),
      status: 'warn',
      code: 'key-issues',
      message: /^1 of 2 JWKS keys look wrong: key 1 has no kid\.$/,
      hint: /a key without a unique kid cannot be chosen/,
    },
    {
      name: 'a published private key',
      body: JSON.stringify({ keys: [{ ...KEY, d: 'secret-exponent' }] }),
      status: 'warn',
      code: 'private-key-published',
      message: /key 0 \(kid "k1"\) publishes private key members \(d\)/,
      hint: /^A published private key is compromised: revoke it/,
    },
    {
      name: 'JSON without keys',
      body: JSON.stringify({ error: 'nope' }),
      status: 'fail',
      code: 'no-keys',
      message: /^The JWKS is JSON without a "keys" array \(members: error\)\.$/,
      hint: /^Check that endpoints\.jwks/,
    },
    {
      name: 'server metadata instead of the key set',
      body: JSON.stringify({ issuer: 'https://threddid.com', jwks_uri: 'https://threddid.com/jwks' }),
      status: 'fail',
      code: 'no-keys',
      message: /without a "keys" array \(members: issuer, jwks_uri\)/,
      hint: /set endpoints\.jwks to its jwks_uri/,
    },
    {
      name: 'keys that is not an array',
      body: '{"keys":{"kid":"k1"}}',
      status: 'fail',
      code: 'keys-not-array',
      message: /^The JWKS "keys" member is an object, not an array\.$/,
    },
    {
      name: 'an empty key set',
      body: '{"keys":[]}',
      status: 'fail',
      code: 'empty-keys',
      message: /^The JWKS holds no keys \("keys": \[\]\)/,
      hint: /^Register the signing certificate/,
    },
    { name: 'a JSON array', body: '[]', status: 'fail', code: 'not-object', message: /^The JWKS is an array, not an object with a "keys" array\.$/ },
    {
      name: 'text that is not JSON',
      body: 'Service temporarily unavailable, please retry',
      type: 'text/plain',
      status: 'fail',
      code: 'not-json',
      message: /^The JWKS URL answered 200 with a body that is not JSON \(served as text\/plain\): it starts "Service temporarily unavailable, please retry"\.$/,
    },
    { name: 'an empty body', body: '', status: 'fail', code: 'empty-body', message: /^The JWKS URL answered 200 with an empty body/ },
  ];

  it.each(bodies)('$status for $name', async ({ name, body, type, status, code, message, hint }) => {
    const url = hostile.reply(name.replace(/\W+/g, '-'), body, type);
    const result = await fetchJwks(url);
    expect(result.status).toBe(status);
    expect(result.code).toBe(code);
    expect(result.message).toMatch(message);
    if (hint) expect(result.hint).toMatch(hint);
    if (status === 'fail') expect(result.output).toBeUndefined();
    else expect(result.output).toMatchObject({ url, kids: expect.any(Array), keys: expect.any(Array), bytes: Buffer.byteLength(body) });
    expect(JSON.stringify(result)).not.toContain('secret-exponent');
  });

  it('warns once for a key set served as text/plain that publishes a private key, leading with the content type', async () => {
    const url = hostile.reply('plain-private', JSON.stringify({ keys: [{ ...KEY, d: 'secret-exponent' }] }), 'text/plain');
    const result = await fetchJwks(url);
    expect(result).toMatchObject({
      status: 'warn',
      code: 'content-type-not-json',
      evidence: { codes: ['content-type-not-json', 'private-key-published'], keyIssues: [{ index: 0, code: 'private-members' }] },
    });
    expect(result.message).toMatch(/^The JWKS parses, but is served as text\/plain rather than application\/json\. 1 of 1 JWKS keys look wrong: key 0 \(kid "k1"\)/);
    expect(result.hint).toMatch(/mention it to the JWKS host operator\. A published private key is compromised/);
    expect(JSON.stringify(result)).not.toContain('secret-exponent');
  });
});

describe('jwks.fetch on other answers', () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    server = createHttpServer((request, response) => {
      const status = Number(request.url!.slice(1));
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 403 ? 'Forbidden by policy' : '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it.each([
    {
      status: 403,
      code: 'access-refused',
      message: 'The JWKS URL answered HTTP 403 instead of 200: "Forbidden by policy".',
      hint: /^Something between golive and 127\.0\.0\.1:\d+ refuses the request/,
    },
    {
      status: 418,
      code: 'unexpected-status',
      message: 'The JWKS URL answered HTTP 418 instead of 200.',
      hint: /^Check that endpoints\.jwks \(http:\/\/127\.0\.0\.1:\d+\/418\) is the organisation's JWKS URL\.$/,
    },
    {
      status: 302,
      code: 'redirect-without-location',
      message: 'The JWKS URL answered 302 (a redirect) without a Location header.',
      hint: /^Set endpoints\.jwks to the URL that serves the key set directly/,
    },
  ])('fails on HTTP $status with $code', async ({ status, code, message, hint }) => {
    const result = await fetchJwks(`${origin}/${status}`);
    expect(result).toMatchObject({ status: 'fail', code, message, evidence: { status } });
    expect(result.hint).toMatch(hint);
  });
});

describe('jwks.fetch on network failures', () => {
  /** A session whose requests fail as `failure` says, as the real one classifies them. */
  function failingContext(failure: NetworkFailure, env: Record<string, string> = {}): RunContext {
    const http: HttpSession = {
      request: async () => {
        throw new HttpFailure(failure, 12);
      },
      probe: () => Promise.reject(new Error('unreached')),
      close: async () => undefined,
    };
    return { configPath: 'golive.yaml', env, options: { ...DEFAULT_OPTIONS, timeoutMs: 1_000 }, now: () => Date.now(), http };
  }

  const URL_ = 'https://jwks.example.test/org/jwks.json';

  it.each<{ failure: NetworkFailure; env?: Record<string, string>; code: string; message: string; hint: string }>([
    {
      failure: { layer: 'dns', code: 'ENOTFOUND', reason: 'the host name does not resolve (DNS)' },
      code: 'dns',
      message: 'DNS: jwks.example.test does not resolve (ENOTFOUND); the JWKS host cannot be reached.',
      hint: "Check the spelling of endpoints.jwks, and that this machine's DNS (or VPN) can resolve the platform's hosts.",
    },
    {
      failure: { layer: 'tls-trust', code: 'SELF_SIGNED_CERT_IN_CHAIN', reason: 'the server certificate is not trusted (unknown or self-signed issuer)' },
      code: 'tls-untrusted',
      message: 'TLS: JWKS host jwks.example.test:443: the server certificate is not trusted (unknown or self-signed issuer) (SELF_SIGNED_CERT_IN_CHAIN).',
      hint: 'If this issuer is one you trust (a corporate proxy, a test platform), add its CA certificate (PEM) to http.ca. Never turn certificate verification off.',
    },
    {
      failure: { layer: 'tls-hostname', code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason: 'the server certificate does not name this host' },
      code: 'tls-hostname',
      message: 'TLS: JWKS host jwks.example.test:443: the server certificate does not name this host (ERR_TLS_CERT_ALTNAME_INVALID).',
      hint: 'Check endpoints.jwks: use the host name the platform documents, not an IP address or an alias.',
    },
    {
      failure: { layer: 'tls-expired', code: 'CERT_HAS_EXPIRED', reason: 'the server certificate has expired' },
      code: 'tls-expired',
      message: 'TLS: JWKS host jwks.example.test:443: the server certificate has expired (CERT_HAS_EXPIRED).',
      hint: "Check this machine's clock; if it is right, the server certificate is the platform's to renew: report it to Thredd support with this report.",
    },
    {
      failure: {
        layer: 'tls-client-certificate',
        code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
        reason: 'the TLS handshake failed: certificate required (alert 116): the server requires a client certificate and none was accepted',
        alert: 116,
      },
      code: 'client-certificate-refused',
      message:
        'mTLS: JWKS host jwks.example.test:443 refused the client certificate: certificate required (alert 116): the server requires a client certificate and none was accepted.',
      hint: 'No client certificate goes to a JWKS host, as it serves a public resource: check that endpoints.jwks is the URL the platform documents, not an mTLS host.',
    },
    {
      failure: { layer: 'tls', code: 'ERR_SSL_WRONG_VERSION_NUMBER', reason: 'the server did not answer with TLS (is it plain http on this port?)' },
      code: 'tls-other',
      message: 'TLS: JWKS host jwks.example.test:443: the server did not answer with TLS (is it plain http on this port?) (ERR_SSL_WRONG_VERSION_NUMBER).',
      hint: 'Check that endpoints.jwks is an https URL of the platform.',
    },
    {
      failure: { layer: 'proxy', code: 'UND_ERR_PROXY', reason: 'the proxy refused or failed the tunnel', proxy: 'http://proxy.example.test:3128' },
      env: { HTTPS_PROXY: 'http://proxy.example.test:3128' },
      code: 'proxy',
      message: 'Proxy: the proxy refused or failed the tunnel, so the JWKS host jwks.example.test:443 cannot be reached (UND_ERR_PROXY).',
      hint: 'Check HTTPS_PROXY (http://proxy.example.test:3128): the proxy must be up and allow CONNECT to jwks.example.test:443; if this host should be reached directly, add jwks.example.test to NO_PROXY.',
    },
    {
      failure: { layer: 'timeout', code: 'GOLIVE_TIMEOUT', reason: 'nothing accepted the TCP connection within 1000 ms: a firewall dropping packets, or the host is down', step: 'tcp' },
      code: 'timeout',
      message: 'TCP: JWKS host jwks.example.test:443: nothing accepted the TCP connection within 1000 ms: a firewall dropping packets, or the host is down (GOLIVE_TIMEOUT).',
      hint: 'Check that outbound HTTPS to jwks.example.test:443 is allowed by your firewall (your egress IP may need allow-listing). If you must go through a proxy, set HTTPS_PROXY.',
    },
    {
      failure: { layer: 'timeout', code: 'GOLIVE_TIMEOUT', reason: 'the server sent the response headers but not the whole body within 1000 ms', step: 'body' },
      code: 'timeout',
      message: 'HTTP: JWKS host jwks.example.test:443: the server sent the response headers but not the whole body within 1000 ms (GOLIVE_TIMEOUT).',
      hint: 'The JWKS host answers, but slowly: rerun, and raise --timeout only if the host is known to be slow.',
    },
    {
      failure: { layer: 'http', code: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', reason: 'the HTTP exchange failed' },
      code: 'http',
      message: 'HTTP: JWKS host jwks.example.test:443: the HTTP exchange failed (UND_ERR_RES_CONTENT_LENGTH_MISMATCH).',
      hint: 'Fetch https://jwks.example.test/org/jwks.json with curl from this machine to see the failure, and check endpoints.jwks.',
    },
  ])('fails with $code on a $failure.layer failure', async ({ failure, env, code, message, hint }) => {
    const ctx = failingContext(failure, env);
    const result = await jwksFetch.run(ctx, { 'config.consistency': configWithJwks(URL_) });
    expect(result).toMatchObject({ status: 'fail', code, message, hint, evidence: { layer: failure.layer, code: failure.code, host: 'jwks.example.test' } });
  });

  it('fails with ca-unreadable when http.ca cannot be read for an https JWKS URL', async () => {
    const ctx = failingContext({ layer: 'tcp', code: 'ECONNREFUSED', reason: 'unreached' });
    const base = configWithJwks(URL_);
    const config = { ...base, http: { ...base.http, ca: '/no/such/dir/ca.pem' } };
    const result = await jwksFetch.run(ctx, { 'config.consistency': config });
    expect(result).toMatchObject({
      status: 'fail',
      code: 'ca-unreadable',
      message: 'http.ca (/no/such/dir/ca.pem) could not be read for the https JWKS URL: ENOENT.',
      hint: 'Make http.ca a readable PEM file of the extra trust anchors, or remove it.',
      evidence: { url: URL_ },
    });
  });
});


/** A client_secret_* client's token request does not depend on the JWKS: a key set it cannot read informs, and does not fail the run. */
describe('jwks.fetch for a client that does not sign', () => {
  async function fullRun(config: string) {
    const { checkConfigs } = await import('../../src/check-run.js');
    const { report } = await checkConfigs({ configs: [config], options: { ...DEFAULT_OPTIONS }, env: sandboxEnv(sandbox) });
    const run = report.runs[0]!;
    return { status: run.status, checks: Object.fromEntries(run.checks.map((check) => [check.id, check])) };
  }

  it('warns on a JWKS 404 (wrong organisationId), and the client is ready: token and probe pass', async () => {
    const config = configVariant(sandbox.configs['client_secret_post-tls']!, { organisationId: 'not-our-organisation' });
    const { status, checks } = await fullRun(config);
    const fetched = checks['jwks.fetch']!;
    expect(fetched).toMatchObject({ status: 'warn', code: 'not-found', evidence: { status: 404, url: expect.stringContaining('/not-our-organisation/jwks.json') } });
    expect(fetched.message).toMatch(/^The JWKS URL answered HTTP 404 instead of 200.* A client_secret_post client's token request does not depend on the JWKS, so this does not stop it\.$/);
    expect(fetched.hint).toMatch(/^Check organisationId \(not-our-organisation\) and endpoints\.jwks: .*\. Only private_key_jwt clients \(the platform verifies their assertions with it\) and the registration of a transport certificate \(mTLS\) depend on the JWKS\.$/);
    expect(checks['token.request']!.status).toBe('pass');
    expect(checks['probe.call']!.status).toBe('pass');
    expect(checks['jwks.signing-key']).toMatchObject({ status: 'skip', skipReason: 'not-applicable', message: 'not applicable: client_secret_post clients do not sign' });
    expect(status).toBe('pass');
  });

  it('on mTLS, jwks.transport-key says the JWKS could not be read (jwks-500), never a pass', async () => {
    sandbox.setFaults(['jwks-500']);
    try {
      const { status, checks } = await fullRun(sandbox.configs['client_secret_basic-mtls']!);
      expect(checks['jwks.fetch']).toMatchObject({ status: 'warn', code: 'server-error', evidence: { status: 500 } });
      expect(checks['jwks.transport-key']).toMatchObject({
        status: 'skip',
        skipReason: 'need-failed',
        message: 'needs jwks.fetch, which could not read the JWKS (server-error): whether the transport certificate is registered is not known',
      });
      expect(checks['token.request']!.status).toBe('pass');
      expect(status).toBe('pass');
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('still fails for private_key_jwt: the platform verifies its assertions with the JWKS', async () => {
    sandbox.setFaults(['jwks-500']);
    try {
      const { status, checks } = await fullRun(sandbox.configs['private_key_jwt-tls']!);
      expect(checks['jwks.fetch']).toMatchObject({ status: 'fail', code: 'server-error' });
      expect(checks['jwks.fetch']!.message).not.toMatch(/does not depend/);
      expect(status).toBe('fail');
    } finally {
      sandbox.setFaults([]);
    }
  });

  it.each(['client_secret_post', 'client_secret_basic'] as const)('%s: a failure without an answer warns too (ca-unreadable)', async (authMethod) => {
    // http.ca is read before any request: nothing is sent.
    const ctx: RunContext = { configPath: 'golive.yaml', env: {}, options: DEFAULT_OPTIONS, now: () => Date.now(), http: { request: () => Promise.reject(new Error('unreached')), probe: () => Promise.reject(new Error('unreached')), close: async () => undefined } };
    const base = configWithJwks('https://jwks.example.test/org/jwks.json', { authMethod });
    const config = { ...base, http: { ...base.http, ca: '/no/such/dir/ca.pem' } };
    const result = await jwksFetch.run(ctx, { 'config.consistency': config });
    expect(result).toMatchObject({ status: 'warn', code: 'ca-unreadable', evidence: { url: 'https://jwks.example.test/org/jwks.json' } });
    expect(result.message).toBe(`http.ca (/no/such/dir/ca.pem) could not be read for the https JWKS URL: ENOENT. A ${authMethod} client's token request does not depend on the JWKS, so this does not stop it.`);
    expect(result.output).toEqual({ unread: true, url: 'https://jwks.example.test/org/jwks.json', code: 'ca-unreadable', config });
  });
});

describe('jwks.fetch with a pasted organisationId', () => {
  it.each(['private_key_jwt-tls', 'client_secret_post-tls'])('%s: the 404 names the line break in organisationId, escaped', async (name) => {
    const organisationId = sandbox.endpoints.jwks.split('/').at(-2)!;
    const config = configVariant(sandbox.configs[name]!, { organisationId: `${organisationId}\n` });
    const result = (await runOnline(config, sandboxEnv(sandbox), { only: ['jwks.fetch'] }))['jwks.fetch']!;
    expect(result).toMatchObject({ status: name.startsWith('private_key_jwt') ? 'fail' : 'warn', code: 'not-found', evidence: { status: 404, url: expect.stringContaining(`/${organisationId}%0A/jwks.json`) } });
    expect(result.hint).toMatch(
      new RegExp(
        `^organisationId "${organisationId}\\\\n" ends with a line break \\("\\\\n"\\), and the JWKS URL holds it: remove the unseen characters where its value comes from \\(the variable, the env file: check quotes and CRLF line ends, or the config\\)\\.`,
      ),
    );
    expect(result.hint).not.toMatch(/[\r\n]/);
  });
});

describe('jwks.fetch reads the signals of the answer: encodings, challenges, Retry-After', () => {
  let server: Server;
  let origin = '';
  const KEY_SET = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k1', use: 'sig', n: 'x'.repeat(342), e: 'AQAB' }] });
  const answers = new Map<string, { status: number; headers: Record<string, string>; body: Buffer }>();

  beforeAll(async () => {
    const { brotliCompressSync, constants, gzipSync } = await import('node:zlib');
    const zeros = Buffer.alloc(64 * MAX_BYTES);
    const json = { 'content-type': 'application/json' };
    answers
      .set('/gzip', { status: 200, headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(KEY_SET) })
      .set('/gzip-bomb', { status: 200, headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(zeros, { level: 9 }) })
      .set('/br-bomb', { status: 200, headers: { ...json, 'content-encoding': 'br' }, body: brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }) })
      .set('/garbage-gzip', { status: 200, headers: { ...json, 'content-encoding': 'gzip' }, body: Buffer.from(KEY_SET) })
      .set('/401', { status: 401, headers: { 'www-authenticate': 'Basic realm="jwks"' }, body: Buffer.alloc(0) })
      .set('/407', { status: 407, headers: { 'proxy-authenticate': 'Basic realm="corp proxy"' }, body: Buffer.alloc(0) })
      .set('/429', { status: 429, headers: { 'retry-after': '45' }, body: Buffer.alloc(0) })
      .set('/503', { status: 503, headers: { 'retry-after': '120', 'content-type': 'text/plain' }, body: Buffer.from('Maintenance.') });
    server = createHttpServer((request, response) => {
      const canned = answers.get(request.url ?? '');
      if (!canned) return void response.writeHead(404).end();
      response.writeHead(canned.status, { ...canned.headers, 'content-length': String(canned.body.length) }).end(canned.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('passes on a gzip key set: decoded, its sizes in the evidence', async () => {
    const result = await fetchJwks(`${origin}/gzip`);
    expect(result.status, result.message).toBe('pass');
    expect(result.message).toMatch(new RegExp(`^The JWKS answered 200 in [\\d.]+ ms with 1 key \\(${KEY_SET.length} bytes\\): kid "k1"\\.$`));
    expect(result.evidence).toMatchObject({ contentEncoding: 'gzip', bytes: KEY_SET.length, encodedBytes: answers.get('/gzip')!.body.length, kids: ['k1'] });
  });

  it.each(['gzip', 'br'])('fails on a %s bomb at the cap, counted after decoding', async (encoding) => {
    const received = answers.get(`/${encoding}-bomb`)!.body.length;
    const result = await fetchJwks(`${origin}/${encoding}-bomb`);
    expect(result).toMatchObject({ status: 'fail', code: 'too-large', evidence: { contentEncoding: encoding, maxBytes: MAX_BYTES } });
    expect(result.message).toMatch(
      new RegExp(`^The JWKS body is larger than http\\.jwksMaxBytes \\(1048576 bytes\\) once decoded from ${encoding}: stopped reading at \\d+ decoded bytes, from \\d+ bytes received\\.$`),
    );
    expect(result.evidence!.bytes as number).toBeLessThanOrEqual(MAX_BYTES + ONE_CHUNK);
    expect(result.evidence!.encodedBytes as number).toBeLessThanOrEqual(received);
    expect(result.hint).toMatch(/raise http\.jwksMaxBytes only if/);
  });

  it('fails with undecodable-body on a body that is not the gzip it is labelled as', async () => {
    const result = await fetchJwks(`${origin}/garbage-gzip`);
    expect(result).toMatchObject({
      status: 'fail',
      code: 'undecodable-body',
      message: 'The JWKS URL answered 200 with Content-Encoding: gzip, but the body is not valid gzip (incorrect header check, Z_DATA_ERROR).',
      evidence: { status: 200, undecodable: { encoding: 'gzip', problem: 'corrupt', code: 'Z_DATA_ERROR' } },
    });
    expect(result.hint).toBe(`The JWKS host, or a proxy in between, labels or encodes the body wrongly: fetch it with \`curl --compressed -i ${origin}/garbage-gzip\` and tell the JWKS host operator.`);
  });

  it.each([
    {
      path: '/401',
      code: 'access-refused',
      message: 'The JWKS URL answered HTTP 401 instead of 200 (WWW-Authenticate: Basic realm="jwks").',
      hint: /^Something between golive and 127\.0\.0\.1:\d+ refuses the request \(the JWKS is public\)/,
      evidence: { challenges: [{ scheme: 'Basic', params: { realm: 'jwks' } }] },
    },
    {
      path: '/407',
      code: 'proxy-authentication',
      message: 'The JWKS URL answered HTTP 407 instead of 200 (Proxy-Authenticate: Basic realm="corp proxy").',
      hint: /^A proxy between golive and 127\.0\.0\.1:\d+ wants credentials: give them in the proxy variable \(HTTP_PROXY or HTTPS_PROXY, as http:\/\/user:password@host:port\)/,
      evidence: { proxyChallenges: [{ scheme: 'Basic', params: { realm: 'corp proxy' } }] },
    },
    {
      path: '/429',
      code: 'rate-limited',
      message: 'The JWKS URL answered HTTP 429 instead of 200; it asks to retry after 45 s (Retry-After).',
      hint: /^The JWKS host limits requests: wait 45 s and rerun/,
      evidence: { retryAfterSeconds: 45 },
    },
    {
      path: '/503',
      code: 'server-error',
      message: 'The JWKS URL answered HTTP 503 instead of 200: "Maintenance."; it asks to retry after 120 s (Retry-After).',
      hint: /^The JWKS host has a problem: rerun after 120 s;/,
      evidence: { retryAfterSeconds: 120, bodyStart: 'Maintenance.' },
    },
  ])('fails on $path with $code, naming what the answer says', async ({ path, code, message, hint, evidence }) => {
    const result = await fetchJwks(`${origin}${path}`);
    expect(result).toMatchObject({ status: 'fail', code, message, evidence });
    expect(result.hint).toMatch(hint);
  });
});
