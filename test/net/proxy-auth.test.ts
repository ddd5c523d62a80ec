import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNetworkFailure } from '../../src/net/describe.js';
import { createHttpSession, HttpFailure } from '../../src/net/http.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runOnline, sandboxEnv } from '../support/online.js';

// A forward proxy that wants credentials answers CONNECT with 407 and a
// Proxy-Authenticate challenge: golive names the scheme and says the proxy
// wants credentials, or refused the ones in the proxy URL.

/** What the proxy accepts; the second is a password with a `%` that starts no escape, given as it is in the proxy URL. */
const GOOD = new Set(['alice:s3cret', 'bob:50%off'].map((credentials) => `Basic ${Buffer.from(credentials).toString('base64')}`));

let sandbox: Sandbox;
let proxy: Server;
let proxyPort = 0;
// A proxy that quotes the credentials it refuses: decoded in its status text, base64 and decoded in its challenge.
let echoing: Server;
let echoingPort = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
  proxy = createServer((_req, res) => void res.writeHead(405).end());
  proxy.on('connect', (req, client: Socket) => {
    sockets.add(client);
    client.on('error', () => undefined);
    if (!GOOD.has(req.headers['proxy-authorization'] ?? '')) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp proxy"\r\nProxy-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [, port] = (req.url ?? '').split(':');
    const upstream = connect({ host: '127.0.0.1', port: Number(port) }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyPort = (proxy.address() as AddressInfo).port;
  echoing = createServer((_req, res) => void res.writeHead(405).end());
  echoing.on('connect', (req, client: Socket) => {
    sockets.add(client);
    client.on('error', () => undefined);
    const sent = (req.headers['proxy-authorization'] ?? '').replace(/^Basic /, '');
    const decoded = Buffer.from(sent, 'base64').toString('utf8');
    client.end(
      `HTTP/1.1 407 Bad credentials ${decoded}\r\nProxy-Authenticate: Basic realm="corp proxy", error="refused ${sent}", user="${decoded}"\r\nContent-Length: 0\r\n\r\n`,
    );
  });
  await new Promise<void>((resolve) => echoing.listen(0, '127.0.0.1', resolve));
  echoingPort = (echoing.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => proxy?.close(resolve));
  await new Promise((resolve) => echoing?.close(resolve));
  await sandbox?.close();
});

async function throughProxy(proxyUrl: string) {
  const session = createHttpSession({ HTTPS_PROXY: proxyUrl });
  try {
    return await session.request({ url: sandbox.endpoints.token, timeoutMs: 3_000, material: { extraCa: [sandbox.ca.cert] } });
  } catch (error) {
    return error;
  } finally {
    await session.close();
  }
}

describe('a proxy that answers 407 to CONNECT', () => {
  it('without credentials: the proxy wants them, and its challenges are named', async () => {
    const failure = await throughProxy(`http://127.0.0.1:${proxyPort}`);
    expect(failure).toBeInstanceOf(HttpFailure);
    const { failure: classified } = failure as HttpFailure;
    expect(classified).toMatchObject({ layer: 'proxy', code: 'GOLIVE_PROXY_AUTH', proxy: `http://127.0.0.1:${proxyPort}` });
    expect(classified.reason).toMatch(
      /^the proxy at 127\.0\.0\.1:\d+ wants credentials, and the proxy URL has none: it answered 407 Proxy Authentication Required to CONNECT 127\.0\.0\.1:\d+ with Proxy-Authenticate: Basic realm="corp proxy", Negotiate$/,
    );
    const described = describeNetworkFailure({
      failure: classified,
      role: 'token host',
      url: sandbox.endpoints.token,
      field: 'endpoints.token',
      env: { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` },
      attempt: { kind: 'request', request: 'token request', probedBy: 'network.token-endpoint' },
    });
    expect(described.hint).toBe(
      `Give the proxy a user and password it accepts in HTTPS_PROXY (http://user:password@127.0.0.1:${proxyPort}, special characters percent-encoded); if 127.0.0.1 should be reached directly, add it to NO_PROXY.`,
    );
  });

  it('with credentials it refuses: says so, never showing them', async () => {
    const failure = (await throughProxy(`http://alice:wrong-password@127.0.0.1:${proxyPort}`)) as HttpFailure;
    expect(failure.failure.code).toBe('GOLIVE_PROXY_AUTH');
    expect(failure.failure.reason).toMatch(/^the proxy at 127\.0\.0\.1:\d+ refused the credentials in the proxy URL: it answered 407 Proxy Authentication Required to CONNECT /);
    expect(JSON.stringify(failure.failure)).not.toMatch(/alice|wrong-password/);
  });

  it('with the credentials it wants: the request goes through', async () => {
    const response = await throughProxy(`http://alice:s3cret@127.0.0.1:${proxyPort}`);
    expect(response).not.toBeInstanceOf(Error);
    expect((response as { status: number }).status).toBeGreaterThanOrEqual(200);
  });

  it('with a password holding a "%" that starts no escape: sent as written, as curl does, and the request goes through', async () => {
    const response = await throughProxy(`http://bob:50%off@127.0.0.1:${proxyPort}`);
    expect(response).not.toBeInstanceOf(Error);
    expect((response as { status: number }).status).toBeGreaterThanOrEqual(200);
  });

  it('network.token-endpoint names the challenge and the fix', async () => {
    const results = await runOnline(sandbox.configs['client_secret_post-tls']!, sandboxEnv(sandbox, { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` }), { only: ['network.token-endpoint'] });
    const check = results['network.token-endpoint']!;
    expect(check).toMatchObject({ status: 'fail', code: 'proxy' });
    expect(check.message).toMatch(
      /^Proxy: the proxy at 127\.0\.0\.1:\d+ wants credentials, and the proxy URL has none: it answered 407 Proxy Authentication Required to CONNECT 127\.0\.0\.1:\d+ with Proxy-Authenticate: Basic realm="corp proxy", Negotiate, so the token host 127\.0\.0\.1:\d+ cannot be reached \(GOLIVE_PROXY_AUTH\)\.$/,
    );
    expect(check.hint).toMatch(/^Give the proxy a user and password it accepts in HTTPS_PROXY \(http:\/\/user:password@127\.0\.0\.1:\d+, special characters percent-encoded\)/);
  });

  it('a proxy that quotes the credentials it refuses: its words are shown with them taken out, in every form', async () => {
    const env = sandboxEnv(sandbox, { HTTPS_PROXY: `http://alice:Tr0ub4dor%263@127.0.0.1:${echoingPort}` });
    const results = await runOnline(sandbox.configs['client_secret_post-tls']!, env, { only: ['network.token-endpoint'] });
    const check = results['network.token-endpoint']!;
    expect(check).toMatchObject({ status: 'fail', code: 'proxy' });
    expect(check.message).toMatch(
      /^Proxy: the proxy at 127\.0\.0\.1:\d+ refused the credentials in the proxy URL: it answered 407 Bad credentials \[redacted\] to CONNECT 127\.0\.0\.1:\d+ with Proxy-Authenticate: Basic realm="corp proxy", error="refused \[redacted\]", user="\[redacted\]", so the token host 127\.0\.0\.1:\d+ cannot be reached \(GOLIVE_PROXY_AUTH\)\.$/,
    );
    const shown = JSON.stringify(check);
    for (const form of ['Tr0ub4dor', Buffer.from('alice:Tr0ub4dor&3').toString('base64')]) expect(shown).not.toContain(form);
  });

  it('a proxy whose 407 headers are larger than golive reads: it answered, with headers too large, never "dropped the connection"', async () => {
    const big = createServer((_req, res) => void res.writeHead(405).end());
    big.on('connect', (_req, client: Socket) => {
      client.on('error', () => undefined);
      client.end(`HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="${'r'.repeat(20_000)}"\r\nContent-Length: 0\r\n\r\n`);
    });
    await new Promise<void>((resolve) => big.listen(0, '127.0.0.1', resolve));
    const port = (big.address() as AddressInfo).port;
    try {
      const failure = (await throughProxy(`http://127.0.0.1:${port}`)) as HttpFailure;
      expect(failure).toBeInstanceOf(HttpFailure);
      expect(failure.failure).toMatchObject({ layer: 'proxy', code: 'HPE_HEADER_OVERFLOW' });
      expect(failure.failure.reason).toMatch(
        /^the proxy at 127\.0\.0\.1:\d+ answered the CONNECT to 127\.0\.0\.1:\d+ with something golive could not read: the response headers are larger than the 16 KB golive reads$/,
      );
    } finally {
      await new Promise((resolve) => big.close(resolve));
    }
  });
});
