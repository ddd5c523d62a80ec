import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configVariant, runOnline, sandboxEnv, sandboxServerCertificate, startTlsServer, type Listening } from '../support/online.js';

let sandbox: Sandbox;
let serverCert: { cert: string; key: string };
const servers: Listening[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
  serverCert = await sandboxServerCertificate(sandbox, 'CN=api.local');
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await sandbox?.close();
});

async function probe(config: string) {
  const results = await runOnline(config, sandboxEnv(sandbox), { only: ['probe.call'] });
  expect(results['token.request']?.status).toBe('pass');
  return results['probe.call']!;
}

/** An API host (trusted by the sandbox CA) that answers every call with `status` and a Thredd error body. */
async function apiAnswering(status: number, errors: Record<string, string[]> = { server: ['Something failed.'] }): Promise<string> {
  const body = JSON.stringify({
    type: 'https://tools.ietf.org/html/rfc9110#section-15.6.1',
    title: 'Internal Server Error',
    status,
    traceId: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00',
    errors,
  });
  const server = await startTlsServer({ ...serverCert, status, body });
  servers.push(server);
  return server.url;
}

describe('probe.call', () => {
  it.each(['client_secret_post-tls', 'client_secret_basic-tls', 'private_key_jwt-tls', 'client_secret_post-mtls', 'client_secret_basic-mtls', 'private_key_jwt-mtls'])(
    'passes on the sandbox (%s) with the mandatory headers sent',
    async (name) => {
      const result = await probe(sandbox.configs[name]!);
      expect(result.status).toBe('pass');
      expect(result.evidence).toMatchObject({
        status: 200,
        serverDate: expect.any(String),
        request: { method: 'GET', headers: ['Authorization: Bearer [token]', 'X-Region: 0', 'Content-Type: application/json'] },
      });
    },
  );

  it('fails with 403 when the client is provisioned for another region, and says which', async () => {
    sandbox.setFaults(['required-region']);
    try {
      const result = await probe(sandbox.configs['client_secret_post-tls']!);
      expect(result.status).toBe('fail');
      expect(result.message).toMatch(/^GET \/core\/api\/v1\/products answered 403: the token was accepted but the call is not allowed\. The API said: X-Region: This client is provisioned in region 1/);
      expect(result.hint).toMatch(/set region to the one shown above \(sent: X-Region 0, Default\)/);
      expect(result.code).toBe('forbidden');
      expect(result.evidence).toMatchObject({ status: 403, traceId: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/) });
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('fails with 404 on a wrong path, naming probe.path and the host', async () => {
    const config = configVariant(sandbox.configs['client_secret_post-tls']!, { probe: { path: '/core/api/v1/nothing-here' } });
    const result = await probe(config);
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/^GET \/core\/api\/v1\/nothing-here answered 404 on https:\/\/127\.0\.0\.1:\d+\. The API said: path: No resource/);
    expect(result.hint).toMatch(/Check probe\.path and endpoints\.api/);
    expect(result.code).toBe('not-found');
  });

  it('fails with 401 when the API rejects the token, pointing at audience and environment', async () => {
    const config = configVariant(sandbox.configs['client_secret_post-tls']!, {
      endpoints: { api: await apiAnswering(401, { Authorization: ['The access token audience is not accepted.'] }) },
    });
    const result = await probe(config);
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/answered 401: the API rejected the access token\. The API said: Authorization: The access token audience is not accepted\./);
    expect(result.hint).toMatch(/a UAT token does not work on Production/);
    expect(result.code).toBe('unauthorized');
  });

  it('on mTLS, explains a 401 as a token not bound to the presented certificate', async () => {
    const config = configVariant(sandbox.configs['client_secret_post-mtls']!, {
      endpoints: { api: await apiAnswering(401, { Authorization: ['The access token is not bound to a client certificate.'] }) },
    });
    const result = await probe(config);
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/answered 401: the API rejected the access token/);
    expect(result.hint).toMatch(/the token must be requested and used with the same transport certificate/);
    expect(result.code).toBe('unauthorized');
  });

  it('fails with 5xx, telling the user to send the traceId to support', async () => {
    const config = configVariant(sandbox.configs['client_secret_post-tls']!, { endpoints: { api: await apiAnswering(503) } });
    const result = await probe(config);
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/answered 503: the platform failed to handle it\. The API said: server: Something failed\./);
    expect(result.hint).toMatch(/traceId 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00/);
    expect(result.code).toBe('server-error');
    expect(result.evidence).toMatchObject({ traceId: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' });
  });

  it.each([
    [400, 'bad-request', /^GET \/core\/api\/v1\/products answered 400: the API refused the request\. The API said: server: Something failed\.$/, /X-Region 0, Content-Type application\/json/],
    [302, 'redirect', /^GET \/core\/api\/v1\/products answered 302, a redirect to \(no Location\); golive does not follow redirects with a token\.$/, /final API base URL/],
    [418, 'unexpected-status', /^GET \/core\/api\/v1\/products answered 418; expected 200\. The API said: server: Something failed\.$/, /probe\.expectStatus/],
    [429, 'rate-limited', /^GET \/core\/api\/v1\/products answered 429 \(too many requests\), without a usable Retry-After\. The API said: server: Something failed\.$/, /^Wait a minute before rerunning\. The platform allows at most 20 concurrent connections per client IP/],
  ])('fails on %i with the finding %s', async (status, code, message, hint) => {
    const config = configVariant(sandbox.configs['client_secret_post-tls']!, { endpoints: { api: await apiAnswering(status) } });
    const result = await probe(config);
    expect(result).toMatchObject({ status: 'fail', code, evidence: { status } });
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(hint);
  });

  it('warns when the expected answer has a body over the read limit', async () => {
    const server = await startTlsServer({ ...serverCert, status: 200, body: JSON.stringify({ items: 'x'.repeat(300_000) }) });
    servers.push(server);
    const result = await probe(configVariant(sandbox.configs['client_secret_post-tls']!, { endpoints: { api: server.url } }));
    expect(result).toMatchObject({ status: 'warn', code: 'large-body', message: 'GET /core/api/v1/products answered 200, with a body over 262144 bytes (not read further).' });
  });

  it('passes when probe.expectStatus lists the answer', async () => {
    const config = configVariant(sandbox.configs['client_secret_post-tls']!, {
      probe: { path: '/core/api/v1/nothing-here', expectStatus: [404] },
    });
    expect((await probe(config)).status).toBe('pass');
  });

  it('never puts the access token in the report', async () => {
    const { checkConfigs } = await import('../../src/check-run.js');
    const { DEFAULT_OPTIONS } = await import('../../src/pipeline/context.js');
    const { report } = await checkConfigs({ configs: [sandbox.configs['client_secret_post-tls']!], options: { ...DEFAULT_OPTIONS }, env: sandboxEnv(sandbox) });
    expect(report.runs[0]!.checks.find((check) => check.id === 'probe.call')!.status).toBe('pass');
    expect(JSON.stringify(report)).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});

/** An API host trusted like the sandbox that answers every call with one canned answer, headers included. */
async function apiSending(status: number, headers: Record<string, string>, body: string | Buffer = ''): Promise<string> {
  const server = createServer({ ...serverCert }, (req, res) => {
    req.resume();
    res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    port: (server.address() as AddressInfo).port,
    url: '',
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('probe.call reads the signals of the answer', () => {
  const withApi = async (status: number, headers: Record<string, string>, body?: string | Buffer) =>
    probe(configVariant(sandbox.configs['client_secret_post-tls']!, { endpoints: { api: await apiSending(status, headers, body) } }));
  const problem = (status: number, title: string) => JSON.stringify({ type: 'about:blank', title, status, traceId: '00-1-2-00' });

  it('401: names the error and error_description of the WWW-Authenticate challenge', async () => {
    const result = await withApi(
      401,
      { 'www-authenticate': 'Bearer realm="thredd", error="invalid_token", error_description="The access token expired"', 'content-type': 'application/problem+json' },
      problem(401, 'Unauthorized'),
    );
    expect(result).toMatchObject({ status: 'fail', code: 'unauthorized', evidence: { status: 401, traceId: '00-1-2-00', challenges: [{ scheme: 'Bearer', params: { error: 'invalid_token' } }] } });
    expect(result.message).toBe(
      'GET /core/api/v1/products answered 401: the API rejected the access token. Its WWW-Authenticate challenge says invalid_token: "The access token expired". The API said: Unauthorized',
    );
    expect(result.hint).toMatch(/a UAT token does not work on Production/);
  });

  it('401 with a challenge without an error: the challenge is named', async () => {
    const result = await withApi(401, { 'www-authenticate': 'Bearer realm="thredd"' });
    expect(result.message).toBe('GET /core/api/v1/products answered 401: the API rejected the access token. It challenged with WWW-Authenticate: Bearer realm="thredd".');
  });

  it('403 insufficient_scope: points at client.scopes', async () => {
    const result = await withApi(403, { 'www-authenticate': 'Bearer error="insufficient_scope", error_description="cards:read is required.", scope="cards:read"' });
    expect(result).toMatchObject({ status: 'fail', code: 'forbidden' });
    expect(result.message).toBe(
      'GET /core/api/v1/products answered 403: the token was accepted but the call is not allowed. Its WWW-Authenticate challenge says insufficient_scope: "cards:read is required."',
    );
    expect(result.hint).toBe('The token lacks a scope this call needs: add it to client.scopes (none are requested now) and check in the portal that the client is granted it.');
  });

  it('429 with Retry-After: rate-limited, saying when to retry', async () => {
    const result = await withApi(429, { 'retry-after': '30' });
    expect(result).toMatchObject({ status: 'fail', code: 'rate-limited', evidence: { retryAfter: '30', retryAfterSeconds: 30 } });
    expect(result.message).toBe('GET /core/api/v1/products answered 429 (too many requests); it asks to retry after 30 s (Retry-After).');
    expect(result.hint).toMatch(/^Wait 30 s before rerunning\./);
  });

  it('503 with Retry-After: the platform failed, retry after the time it gives', async () => {
    const result = await withApi(503, { 'retry-after': '90', 'content-type': 'application/problem+json' }, problem(503, 'Service Unavailable'));
    expect(result).toMatchObject({ status: 'fail', code: 'server-error' });
    expect(result.message).toBe(
      'GET /core/api/v1/products answered 503: the platform failed to handle it; it asks to retry after 90 s (Retry-After). The API said: Service Unavailable',
    );
    expect(result.hint).toBe('This is on the platform\'s side: send this report (with the traceId 00-1-2-00) to Thredd support, or retry after 90 s.');
  });

  it('a gzip answer decodes and passes', async () => {
    const result = await withApi(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(JSON.stringify({ items: [] })));
    expect(result).toMatchObject({ status: 'pass', evidence: { status: 200, contentEncoding: 'gzip' } });
  });

  it('an expected status with a body that is not the gzip it is labelled as: undecodable-body', async () => {
    const result = await withApi(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, '{"items":[]}');
    expect(result).toMatchObject({ status: 'fail', code: 'undecodable-body', evidence: { undecodable: { encoding: 'gzip', problem: 'corrupt' } } });
    expect(result.message).toBe('GET /core/api/v1/products answered 200 with Content-Encoding: gzip, but the body is not valid gzip (incorrect header check, Z_DATA_ERROR).');
    expect(result.hint).toMatch(/labels or encodes the body wrongly/);
  });

  it('an expected status with an HTML page: warns that something else may have answered', async () => {
    const result = await withApi(200, { 'content-type': 'text/html; charset=utf-8' }, '<html><title>Sign in</title></html>');
    expect(result).toMatchObject({ status: 'warn', code: 'not-json' });
    expect(result.message).toBe('GET /core/api/v1/products answered 200 as expected, but with text/html; charset=utf-8 rather than JSON: something other than the API may have answered.');
    expect(result.hint).toMatch(/proxy, gateway or sign-in page/);
  });
});
