import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configVariant, runOnline, sandboxEnv, sandboxServerCertificate } from '../support/online.js';

// token.request reads every answer from the signals it carries (src/net/answer.ts):
// a bare 401 challenge, Retry-After, Content-Encoding.

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
});
afterAll(() => sandbox?.close());
afterEach(() => sandbox.setFaults([]));

async function tokenRequest(config: string, now?: () => number) {
  const results = await runOnline(config, sandboxEnv(sandbox), { only: ['token.request'] }, now ? { now } : {});
  expect(results['network.token-endpoint']?.status).toBe('pass');
  return results['token.request']!;
}

const SECRET_HINT =
  /^Check client\.id and client\.secret \(sent (in the Authorization header, as client_secret_basic|in the request body, as client_secret_post)\) against the portal for this environment/;
const ASSERTION_HINT = /^The platform did not accept the client assertion: check that client\.id is the registered client id \(iss and sub\), that the signing certificate is registered/;

describe('token.request on a bare 401 challenge (RFC 6749 §5.2): the sandbox fault token-401-challenge', () => {
  it.each([
    ['client_secret_basic-tls', SECRET_HINT, /If the client is registered for client_secret_post, set client\.authMethod to it\.$/],
    // A client_secret_post client challenged for Basic: the other method is the likely cause.
    ['client_secret_post-mtls', SECRET_HINT, /The server challenges for Basic authentication: if the client is registered for client_secret_basic, set client\.authMethod to it\.$/],
    ['private_key_jwt-tls', ASSERTION_HINT, /the assertion header and claims are in the evidence\)\.$/],
  ])('%s: says client authentication failed, names the challenge and points at the credentials', async (name, hint, hintEnd) => {
    sandbox.setFaults(['token-401-challenge']);
    const check = await tokenRequest(sandbox.configs[name]!);
    expect(check).toMatchObject({ status: 'fail', code: 'client-authentication-failed' });
    expect(check.message).toBe(
      'The token endpoint refused the client authentication: it answered 401 with an empty body and the challenge WWW-Authenticate: Basic realm="golive-sandbox": RFC 6749 §5.2\'s answer when client authentication fails.',
    );
    expect(check.hint).toMatch(hint);
    expect(check.hint).toMatch(hintEnd);
    expect(check.evidence).toMatchObject({
      status: 401,
      bytes: 0,
      wwwAuthenticate: 'Basic realm="golive-sandbox"',
      challenges: [{ scheme: 'Basic', params: { realm: 'golive-sandbox' } }],
      serverDate: expect.stringMatching(/GMT$/),
    });
  });

  it('passes again once the fault is off', async () => {
    expect((await tokenRequest(sandbox.configs['client_secret_basic-tls']!)).status).toBe('pass');
  });
});

/** A token host trusted like the sandbox that answers every token POST as `mode` says. */
describe('token.request on answers a token host can give', () => {
  let server: Server;
  let url = '';
  let answer: (send: (status: number, headers: Record<string, string>, body?: Buffer | string) => void) => void = () => undefined;

  beforeAll(async () => {
    const { cert, key } = await sandboxServerCertificate(sandbox, 'CN=token.local');
    server = createServer({ cert, key }, (req, res) => {
      if (req.method !== 'POST') return void res.writeHead(200).end();
      req.resume();
      answer((status, headers, body) => void res.writeHead(status, headers).end(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  const against = (name: string) => configVariant(sandbox.configs[name]!, { endpoints: { token: url } });
  const json = (value: unknown) => JSON.stringify(value);

  it('a Bearer-style challenge with error and error_description: both named', async () => {
    answer = (send) =>
      send(401, { 'www-authenticate': 'Bearer realm="threddid", error="invalid_client", error_description="The client secret has expired"' });
    const check = await tokenRequest(against('client_secret_basic-tls'));
    expect(check).toMatchObject({ status: 'fail', code: 'client-authentication-failed' });
    expect(check.message).toBe(
      'The token endpoint refused the client authentication: it answered 401 with an empty body and the challenge WWW-Authenticate: Bearer realm="threddid", error="invalid_client", error_description="The client secret has expired"; the challenge says invalid_client: "The client secret has expired": RFC 6749 §5.2\'s answer when client authentication fails.',
    );
    expect(check.hint).toMatch(SECRET_HINT);
    expect(check.evidence).toMatchObject({
      challenges: [{ scheme: 'Bearer', params: { realm: 'threddid', error: 'invalid_client', error_description: 'The client secret has expired' } }],
    });
  });

  it('a 401 with an empty body and no challenge is still failed client authentication', async () => {
    answer = (send) => send(401, {});
    const check = await tokenRequest(against('private_key_jwt-tls'));
    expect(check).toMatchObject({ status: 'fail', code: 'client-authentication-failed' });
    expect(check.message).toMatch(/^The token endpoint refused the client authentication: it answered 401 with an empty body and no WWW-Authenticate challenge: /);
    expect(check.hint).toMatch(ASSERTION_HINT);
  });

  it('a 401 page from a gateway, without a challenge, stays a wrong endpoint', async () => {
    answer = (send) => send(401, { 'content-type': 'text/html' }, '<html>Unauthorized</html>');
    const check = await tokenRequest(against('client_secret_post-tls'));
    expect(check).toMatchObject({ status: 'fail', code: 'not-oauth-error' });
    expect(check.hint).toMatch(/wrong path or host, or a proxy/);
  });

  it('429 with Retry-After in seconds: rate-limited, saying when to retry', async () => {
    answer = (send) => send(429, { 'retry-after': '30', 'content-type': 'application/json' }, json({ message: 'slow down' }));
    const check = await tokenRequest(against('client_secret_post-tls'));
    expect(check).toMatchObject({ status: 'fail', code: 'rate-limited', evidence: { status: 429, retryAfter: '30', retryAfterSeconds: 30 } });
    expect(check.message).toBe('The token endpoint answered 429 (too many requests); it asks to retry after 30 s (Retry-After).');
    expect(check.hint).toMatch(/^Wait 30 s before rerunning\. The platform allows at most 20 concurrent connections per client IP/);
  });

  it('429 without Retry-After', async () => {
    answer = (send) => send(429, {});
    const check = await tokenRequest(against('client_secret_post-tls'));
    expect(check).toMatchObject({ status: 'fail', code: 'rate-limited' });
    expect(check.message).toBe('The token endpoint answered 429 (too many requests), without a usable Retry-After.');
    expect(check.hint).toMatch(/^Wait a minute before rerunning/);
  });

  it('503 with Retry-After as an HTTP-date: taken against the run clock', async () => {
    // The run's clock is an hour behind the real one: the date is 2 minutes ahead of the run, not of the machine.
    const runNow = () => Date.now() - 3_600_000;
    answer = (send) => send(503, { 'retry-after': new Date(runNow() + 120_000).toUTCString(), 'content-type': 'text/plain' }, 'down');
    const check = await tokenRequest(against('client_secret_post-tls'), runNow);
    expect(check).toMatchObject({ status: 'fail', code: 'server-error' });
    expect(check.message).toMatch(/^The token endpoint answered 503 \(text\/plain, 4 bytes, starting "down"\): the platform failed to handle the request; it asks to retry after 1(19|20) s \(Retry-After\)\.$/);
    expect(check.hint).toMatch(/^This is on the platform's side: retry after 1(19|20) s, and if it persists/);
  });

  it('a gzip token response decodes and the token is issued', async () => {
    answer = (send) =>
      send(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(json({ access_token: 'opaque-token-value', token_type: 'Bearer', expires_in: 3600 })));
    const check = await tokenRequest(against('client_secret_post-tls'));
    expect(check.status, check.message).toBe('pass');
    expect(check.evidence).toMatchObject({ contentEncoding: 'gzip', tokenType: 'Bearer' });
    expect(JSON.stringify(check)).not.toContain('opaque-token-value');
  });

  it.each([
    ['garbage labelled gzip', { 'content-encoding': 'gzip' }, 'not gzip', /^The token endpoint answered 200 with Content-Encoding: gzip, but the body is not valid gzip \(incorrect header check, Z_DATA_ERROR\)\.$/, /labelled with an encoding it does not have/],
    ['an encoding golive does not decode', { 'content-encoding': 'zstd' }, 'zstd bytes', /^The token endpoint answered 200 with Content-Encoding: zstd, which golive does not decode \(it asks for gzip, deflate, br\)\.$/, /ignored Accept-Encoding/],
    ['br damaged on the way', { 'content-encoding': 'br' }, brotliCompressSync(json({ access_token: 'x' })).subarray(0, 5), /^The token endpoint answered 200 with Content-Encoding: br, but the body is not valid br \(/, /damaged on the way/],
  ] as const)('%s: undecodable-body, never a crash', async (_name, headers, body, message, hint) => {
    answer = (send) => send(200, { 'content-type': 'application/json', ...headers }, body);
    const check = await tokenRequest(against('client_secret_basic-tls'));
    expect(check).toMatchObject({ status: 'fail', code: 'undecodable-body', evidence: { status: 200, undecodable: { encoding: headers['content-encoding'] } } });
    expect(check.message).toMatch(message);
    expect(check.hint).toMatch(hint);
  });

  it.each([
    ['gzip', 'a token in plain JSON labelled gzip', /^The token endpoint answered 200 with Content-Encoding: gzip, but the body is not valid gzip \(incorrect header check, Z_DATA_ERROR\)\.$/, /labelled with an encoding it does not have/],
    ['zstd', 'a token in plain JSON labelled zstd', /^The token endpoint answered 200 with Content-Encoding: zstd, which golive does not decode \(it asks for gzip, deflate, br\)\.$/, /ignored Accept-Encoding/],
  ] as const)('%s: %s is not a token: a client that decodes the label gets no token (undecodable-body)', async (encoding, _name, message, hint) => {
    answer = (send) => send(200, { 'content-type': 'application/json', 'content-encoding': encoding }, json({ access_token: 'opaque-token-value', token_type: 'Bearer', expires_in: 3600 }));
    const check = await tokenRequest(against('client_secret_post-tls'));
    expect(check).toMatchObject({ status: 'fail', code: 'undecodable-body', evidence: { status: 200, undecodable: { encoding } } });
    expect(check.message).toMatch(message);
    expect(check.hint).toMatch(hint);
    expect(JSON.stringify(check)).not.toContain('opaque-token-value');
  });

  it('a body gzipped 1600 times over is not decoded: undecodable-body, well within the timeout', async () => {
    const chain = Array.from({ length: 1600 }, () => 'gzip').join(', ');
    const body = Array.from({ length: 1600 }).reduce<Buffer>((inner) => gzipSync(inner), Buffer.from(json({ access_token: 'x' })));
    answer = (send) => send(200, { 'content-type': 'application/json', 'content-encoding': chain }, body);
    const started = performance.now();
    const check = await tokenRequest(against('client_secret_basic-tls'));
    expect(performance.now() - started).toBeLessThan(6_000);
    expect(check).toMatchObject({
      status: 'fail',
      code: 'undecodable-body',
      evidence: { status: 200, undecodable: { encoding: 'gzip, gzip, gzip, gzip, …', problem: 'too-many', count: 1600 } },
    });
    expect(check.message).toBe('The token endpoint answered 200 with Content-Encoding: gzip, gzip, gzip, gzip, … (1600 codings), more than the 4 golive undoes one after another.');
    expect(check.hint).toMatch(/^The server ignored Accept-Encoding, or a proxy in between re-encoded the answer: check any proxy \(HTTPS_PROXY\)/);
  });
});
