import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { createHttpSession, HttpFailure } from '../../src/net/http.js';
import { probeEndpoint } from '../../src/net/probe.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startHostileServer, type HostileServer } from '../support/hostile-servers.js';
import { startHostileProxy, type HostileProxy, type ProxyBehaviour } from '../support/hostile-proxy.js';
import { configVariant, runOnline, sandboxEnv, sandboxServerCertificate, startSilentServer } from '../support/online.js';

// --timeout bounds every network step, a proxy's CONNECT included: before,
// a proxy that accepted and never answered held an undici request for 300 s
// and kept the layer probe's socket (and so the process) alive for ever.

const TIMEOUT = 1_000;
/** Far above the timeout on a loaded 2-core machine, far below the hangs this guards against (300 s, for ever). */
const MARGIN = 4_000;
const CONNECT_UNANSWERED = /the proxy at 127\.0\.0\.1:\d+ accepted the connection but did not answer the CONNECT within 1000 ms/;
const TUNNEL_SILENT = /the proxy at 127\.0\.0\.1:\d+ answered the CONNECT, but the TLS handshake through its tunnel did not complete within 1000 ms/;
/** Nothing listens there: through a hostile proxy it is never reached. */
const UNREACHED = 'https://127.0.0.1:9/oauth2/token';

let sandbox: Sandbox;
let hostile: HostileServer;

beforeAll(async () => {
  [sandbox, hostile] = await Promise.all([startSandbox({ quiet: true }), startHostileServer()]);
});
afterAll(async () => {
  await Promise.all([sandbox?.close(), hostile?.close()]);
});

/** A hostile proxy closed when the test that started it ends (tests here run concurrently: their waits are timeouts). */
async function proxy(policy: Parameters<typeof startHostileProxy>[0], test: Pick<TestContext, 'onTestFinished'>): Promise<HostileProxy> {
  const started = await startHostileProxy(policy);
  test.onTestFinished(() => started.close());
  return started;
}

/** Waits until golive has closed every connection it opened to the proxy (a leak keeps the CLI from exiting). */
async function allClosed(proxy: HostileProxy): Promise<number> {
  const until = performance.now() + 2_000;
  while (proxy.openConnections() > 0 && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 25));
  return proxy.openConnections();
}

describe.concurrent('an HTTP request through a misbehaving proxy ends within its timeout, naming the step and the proxy', () => {
  const cases: Array<{ name: string; behaviour: ProxyBehaviour; url: () => string; step: string; reason: RegExp }> = [
    { name: 'a proxy that never answers the CONNECT', behaviour: 'silent', url: () => UNREACHED, step: 'proxy', reason: CONNECT_UNANSWERED },
    { name: 'a proxy that trickles its answer to CONNECT', behaviour: 'trickle', url: () => UNREACHED, step: 'proxy', reason: CONNECT_UNANSWERED },
    { name: 'a tunnel that stays silent (https)', behaviour: 'connect-then-silent', url: () => UNREACHED, step: 'tls', reason: TUNNEL_SILENT },
    {
      name: 'a tunnel that stays silent (http)',
      behaviour: 'connect-then-silent',
      url: () => 'http://127.0.0.1:9/org/jwks.json',
      step: 'http',
      reason: /^the server did not answer the request within 1000 ms, through the proxy at 127\.0\.0\.1:\d+$/,
    },
    {
      name: 'a server trickling its body through the tunnel',
      behaviour: 'tunnel',
      url: () => hostile.url('/slow-body'),
      step: 'body',
      reason: /^the server sent the response headers but not the whole body within 1000 ms, through the proxy at 127\.0\.0\.1:\d+$/,
    },
  ];

  it.for(cases)('$name', async ({ behaviour, url, step, reason }, test) => {
    const hostileProxy = await proxy(behaviour, test);
    const http = createHttpSession({ HTTPS_PROXY: hostileProxy.url, HTTP_PROXY: hostileProxy.url });
    const started = performance.now();
    const error: unknown = await http.request({ url: url(), timeoutMs: TIMEOUT, material: {} }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    const elapsed = performance.now() - started;
    await http.close();
    expect(error).toBeInstanceOf(HttpFailure);
    const { failure } = error as HttpFailure;
    expect(failure).toMatchObject({ layer: 'timeout', code: 'GOLIVE_TIMEOUT', step, proxy: hostileProxy.url });
    expect(failure.reason).toMatch(reason);
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT - 50);
    expect(elapsed).toBeLessThan(TIMEOUT + MARGIN);
    expect(await allClosed(hostileProxy)).toBe(0);
  });
});

describe.concurrent('the layer probe through a misbehaving proxy ends within its timeout and leaves nothing open', () => {
  it.for([
    ['silent', 'proxy', CONNECT_UNANSWERED],
    ['trickle', 'proxy', CONNECT_UNANSWERED],
    ['connect-then-silent', 'tls', TUNNEL_SILENT],
  ] as const)('%s proxy: fails at the %s step', async ([behaviour, step, reason], test) => {
    const hostileProxy = await proxy(behaviour, test);
    const started = performance.now();
    const result = await probeEndpoint(UNREACHED, { timeoutMs: TIMEOUT, material: {}, proxy: hostileProxy.url });
    expect(performance.now() - started).toBeLessThan(TIMEOUT + MARGIN);
    expect(result.failure).toMatchObject({ layer: 'timeout', code: 'GOLIVE_TIMEOUT', step, proxy: hostileProxy.url });
    expect(result.failure!.reason).toMatch(reason);
    expect(await allClosed(hostileProxy)).toBe(0);
  });

  it('cuts off a server that trickles its HTTP answer, one byte at a time', async () => {
    const { cert, key } = await sandboxServerCertificate(sandbox, 'CN=trickle.local');
    const answer = 'HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 0\r\n\r\n';
    const timers = new Set<NodeJS.Timeout>();
    const server = createTlsServer({ cert, key }, (socket: TLSSocket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        let index = 0;
        const timer = setInterval(() => (index < answer.length ? socket.write(answer[index++]!) : clearInterval(timer)), 250);
        timers.add(timer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/`;
      const started = performance.now();
      const result = await probeEndpoint(url, { timeoutMs: TIMEOUT, material: { extraCa: [sandbox.ca.cert] } });
      expect(performance.now() - started).toBeLessThan(TIMEOUT + MARGIN);
      expect(result.tls).toBeDefined();
      expect(result.failure).toMatchObject({ layer: 'timeout', step: 'http', reason: 'the server did not answer the request within 1000 ms' });
    } finally {
      for (const timer of timers) clearInterval(timer);
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe.concurrent('each network check fails within its timeout through a misbehaving proxy, naming the proxy', () => {
  const host = (url: string): string => new URL(url).host;
  /**
   * The reachability probe of `url`'s host gets through; its tunnel closes when the request after it
   * goes over it (golive keeps the probe's connection for that request), and the request's own
   * CONNECT meets `behaviour`.
   */
  const afterProbe = (url: () => string, behaviour: ProxyBehaviour) => (target: string, nth: number) =>
    target !== host(url()) ? 'tunnel' : nth === 1 ? 'tunnel-once' : behaviour;
  const tokenUrl = () => sandbox.endpoints.token;
  const apiUrl = () => sandbox.endpoints.api;

  const cases: Array<{
    check: string;
    name: string;
    policy: () => Parameters<typeof startHostileProxy>[0];
    variable: 'HTTPS_PROXY' | 'HTTP_PROXY';
    message: RegExp;
    hint: RegExp;
    /** The finding: describeNetworkFailure codes every check's failures alike. */
    code: string;
    evidence: Record<string, unknown>;
    /** The request went first over the probe's kept connection, lost it, and opened its own. */
    reusedProbe?: true;
  }> = [
    {
      check: 'jwks.fetch',
      name: 'silent proxy',
      policy: () => 'silent',
      variable: 'HTTP_PROXY',
      message: new RegExp(`^Proxy: JWKS host 127\\.0\\.0\\.1:\\d+: ${CONNECT_UNANSWERED.source} \\(GOLIVE_TIMEOUT\\)\\.$`),
      hint: /^Check HTTP_PROXY \(http:\/\/127\.0\.0\.1:\d+\): .*CONNECT to 127\.0\.0\.1:\d+; .*NO_PROXY\. Raise --timeout only if the proxy is known to be slow\.$/,
      code: 'timeout',
      evidence: { layer: 'timeout', step: 'proxy' },
    },
    {
      check: 'jwks.fetch',
      name: 'silent tunnel',
      policy: () => 'connect-then-silent',
      variable: 'HTTP_PROXY',
      message: /^HTTP: JWKS host 127\.0\.0\.1:\d+: the server did not answer the request within 1000 ms, through the proxy at 127\.0\.0\.1:\d+ \(GOLIVE_TIMEOUT\)\.$/,
      hint: /^Check HTTP_PROXY .*NO_PROXY\. Raise --timeout only if the proxy is known to be slow\.$/,
      code: 'timeout',
      evidence: { layer: 'timeout', step: 'http' },
    },
    {
      check: 'network.token-endpoint',
      name: 'silent proxy',
      policy: () => 'silent',
      variable: 'HTTPS_PROXY',
      message: new RegExp(`^Proxy: token host 127\\.0\\.0\\.1:\\d+: ${CONNECT_UNANSWERED.source} \\(GOLIVE_TIMEOUT\\)\\.$`),
      hint: /^Check HTTPS_PROXY \(http:\/\/127\.0\.0\.1:\d+\): .*CONNECT to 127\.0\.0\.1:\d+; .*NO_PROXY\. Raise --timeout only if/,
      code: 'timeout',
      evidence: { layer: 'timeout', step: 'proxy' },
    },
    {
      check: 'network.token-endpoint',
      name: 'silent tunnel',
      policy: () => 'connect-then-silent',
      variable: 'HTTPS_PROXY',
      message: new RegExp(`^TLS: token host 127\\.0\\.0\\.1:\\d+: ${TUNNEL_SILENT.source} \\(GOLIVE_TIMEOUT\\)\\.$`),
      hint: /^Check HTTPS_PROXY .*NO_PROXY/,
      code: 'timeout',
      evidence: { layer: 'timeout', step: 'tls' },
    },
    {
      check: 'network.api-endpoint',
      name: 'silent proxy',
      policy: () => 'silent',
      variable: 'HTTPS_PROXY',
      message: new RegExp(`^Proxy: API host 127\\.0\\.0\\.1:\\d+: ${CONNECT_UNANSWERED.source} \\(GOLIVE_TIMEOUT\\)\\.$`),
      hint: /^Check HTTPS_PROXY .*NO_PROXY/,
      code: 'timeout',
      evidence: { layer: 'timeout', step: 'proxy' },
    },
    {
      check: 'token.request',
      name: 'proxy silent after the probe',
      policy: () => afterProbe(tokenUrl, 'silent'),
      reusedProbe: true,
      variable: 'HTTPS_PROXY',
      message: new RegExp(`^The token request to https://127\\.0\\.0\\.1:\\d+/\\S+ timed out: ${CONNECT_UNANSWERED.source} \\(GOLIVE_TIMEOUT\\)\\.$`),
      hint: /^Check HTTPS_PROXY \(http:\/\/127\.0\.0\.1:\d+\): the proxy must be up and allow CONNECT to 127\.0\.0\.1:\d+; .*NO_PROXY/,
      code: 'timeout',
      evidence: { layer: 'timeout', code: 'GOLIVE_TIMEOUT', step: 'proxy', proxy: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
    },
    {
      check: 'token.request',
      name: 'tunnel silent after the probe',
      policy: () => afterProbe(tokenUrl, 'connect-then-silent'),
      reusedProbe: true,
      variable: 'HTTPS_PROXY',
      message: new RegExp(`^The token request to https://127\\.0\\.0\\.1:\\d+/\\S+ timed out: ${TUNNEL_SILENT.source} \\(GOLIVE_TIMEOUT\\)\\.$`),
      hint: /^Check HTTPS_PROXY .*NO_PROXY/,
      code: 'timeout',
      evidence: { layer: 'timeout', code: 'GOLIVE_TIMEOUT' },
    },
    {
      check: 'probe.call',
      name: 'proxy silent after the probe',
      policy: () => afterProbe(apiUrl, 'silent'),
      reusedProbe: true,
      variable: 'HTTPS_PROXY',
      message: new RegExp(`^The probe request \\(GET /core/api/v1/products\\) to https://127\\.0\\.0\\.1:\\d+/core/api/v1/products timed out: ${CONNECT_UNANSWERED.source} \\(GOLIVE_TIMEOUT\\)\\.$`),
      hint: /^Check HTTPS_PROXY \(http:\/\/127\.0\.0\.1:\d+\): the proxy must be up and allow CONNECT to 127\.0\.0\.1:\d+; .*NO_PROXY/,
      code: 'timeout',
      evidence: { layer: 'timeout', code: 'GOLIVE_TIMEOUT' },
    },
    {
      check: 'probe.call',
      name: 'tunnel silent after the probe',
      policy: () => afterProbe(apiUrl, 'connect-then-silent'),
      reusedProbe: true,
      variable: 'HTTPS_PROXY',
      message: new RegExp(`^The probe request \\(GET /core/api/v1/products\\) to https://127\\.0\\.0\\.1:\\d+/core/api/v1/products timed out: ${TUNNEL_SILENT.source} \\(GOLIVE_TIMEOUT\\)\\.$`),
      hint: /^Check HTTPS_PROXY .*NO_PROXY/,
      code: 'timeout',
      evidence: { layer: 'timeout', code: 'GOLIVE_TIMEOUT' },
    },
  ];

  it.for(cases)('$check: $name', async ({ check, policy, variable, message, hint, code, evidence, reusedProbe }, test) => {
    expect(host(tokenUrl())).not.toBe(host(apiUrl()));
    const hostileProxy = await proxy(policy(), test);
    const started = performance.now();
    // A client_secret_* client does not depend on the JWKS (its fetch failing only warns): the JWKS is fetched for a private_key_jwt one.
    const config = sandbox.configs[check === 'jwks.fetch' ? 'private_key_jwt-tls' : 'client_secret_post-tls']!;
    const results = await runOnline(config, sandboxEnv(sandbox, { [variable]: hostileProxy.url }), {
      only: [check],
      timeoutMs: TIMEOUT,
    });
    const elapsed = performance.now() - started;
    const result = results[check]!;
    expect(result).toMatchObject({ status: 'fail', code, evidence });
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(hint);
    // The check itself, then the whole run: upstream checks add their own steps.
    expect(result.durationMs).toBeLessThan(TIMEOUT + MARGIN);
    expect(elapsed).toBeLessThan(20_000);
    expect(hostileProxy.targets.length).toBeGreaterThan(0);
    if (reusedProbe) {
      const url = check === 'token.request' ? tokenUrl() : apiUrl();
      expect(hostileProxy.targets.filter((target) => target === host(url))).toHaveLength(2);
      expect(hostileProxy.tunnelsClosedOnReuse()).toBe(1);
    }
    expect(await allClosed(hostileProxy)).toBe(0);
  });
});

const TINYPROXY = '/usr/bin/tinyproxy';

/** tinyproxy on a free loopback port, in the foreground, allowing CONNECT to any port of 127.0.0.1. */
async function startTinyproxy(): Promise<{ url: string; stop(): Promise<void> }> {
  const free = createServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const { port } = free.address() as { port: number };
  await new Promise((resolve) => free.close(resolve));
  const dir = await mkdtemp(path.join(tmpdir(), 'golive-tinyproxy-'));
  const config = path.join(dir, 'tinyproxy.conf');
  await writeFile(config, `Port ${port}\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 600\nMaxClients 20\nLogLevel Critical\n`);
  const child: ChildProcess = spawn(TINYPROXY, ['-d', '-c', config], { stdio: 'ignore' });
  const until = performance.now() + 5_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(true)).on('error', () => resolve(false));
      socket.once('connect', () => socket.destroy());
    });
    if (up) break;
    if (performance.now() > until || child.exitCode !== null) throw new Error(`tinyproxy did not start on 127.0.0.1:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill();
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe.skipIf(!existsSync(TINYPROXY))(`through a real forward proxy (tinyproxy; skipped when ${TINYPROXY} is missing)`, () => {
  let tinyproxy: Awaited<ReturnType<typeof startTinyproxy>>;
  beforeAll(async () => {
    tinyproxy = await startTinyproxy();
  });
  afterAll(() => tinyproxy?.stop());

  it('gets a token and calls the API through its tunnels', async () => {
    const results = await runOnline(sandbox.configs['client_secret_post-tls']!, sandboxEnv(sandbox, { HTTPS_PROXY: tinyproxy.url }), { only: ['probe.call'] });
    for (const id of ['network.token-endpoint', 'network.api-endpoint', 'token.request', 'probe.call']) expect(results[id]).toMatchObject({ status: 'pass' });
    expect(results['network.token-endpoint']!.evidence).toMatchObject({ proxy: tinyproxy.url });
  });

  it('names the tunnel when the server behind it never completes the handshake', async () => {
    const silent = await startSilentServer();
    try {
      const config = configVariant(sandbox.configs['client_secret_post-tls']!, { endpoints: { token: `${silent.url}/oauth2/token` } });
      const results = await runOnline(config, sandboxEnv(sandbox, { HTTPS_PROXY: tinyproxy.url }), { only: ['network.token-endpoint'], timeoutMs: TIMEOUT });
      const result = results['network.token-endpoint']!;
      expect(result).toMatchObject({ status: 'fail', code: 'timeout', evidence: { layer: 'timeout', step: 'tls', proxy: tinyproxy.url } });
      expect(result.message).toMatch(TUNNEL_SILENT);
      expect(result.hint).toMatch(/^Check HTTPS_PROXY .*NO_PROXY/);
      expect(result.durationMs).toBeLessThan(TIMEOUT + MARGIN);
    } finally {
      await silent.close();
    }
  });
});
