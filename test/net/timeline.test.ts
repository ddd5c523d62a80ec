import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { Connections } from '../../src/net/connections.js';
import type { HttpSession } from '../../src/net/http.js';
import { openHttpSession } from '../../src/net/session.js';
import type { TimelineEntry } from '../../src/net/timeline.js';
import { createCa, issueCertificate, type Issued } from '../../src/sandbox/pki.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { Report } from '../../src/report/types.js';
import { golive } from '../support/cli.js';

// Every probe and request of a run is placed on one time axis, phase by
// phase, from the real connections: what the HTML report's waterfall draws.

let ca: Issued;
let server: Server;
let port: number;

beforeAll(async () => {
  ca = await createCa('CN=golive timeline test CA');
  const certificate = await issueCertificate({
    subject: 'CN=127.0.0.1',
    issuer: ca,
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
    extKeyUsage: ['serverAuth'],
  });
  server = createServer({ cert: certificate.certPem, key: certificate.keyPem, keepAliveTimeout: 5_000 }, (request, response) => {
    if (request.method === 'HEAD') {
      response.writeHead(200, { 'keep-alive': 'timeout=5' }).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    if (request.url === '/cut') {
      response.write('{');
      setTimeout(() => response.destroy(), 10);
      return;
    }
    // The body a little after the headers: `wait` and `body` are apart.
    response.write('{"a":');
    setTimeout(() => response.end('1}'), 30);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const material = (): { extraCa: string[] } => ({ extraCa: [ca.certPem] });
const TIMEOUT = 5_000;
const localhostOnly = async (): Promise<{ address: string }[]> => [{ address: '127.0.0.1' }];

function session(test: Pick<TestContext, 'onTestFinished'>, runStartedAt: number): HttpSession {
  const opened = openHttpSession({}, new Connections(), runStartedAt);
  test.onTestFinished(() => opened.close());
  return opened;
}

function names(entry: TimelineEntry): string[] {
  return entry.phases.map(({ name }) => name);
}

function end(entry: TimelineEntry): number {
  return entry.atMs + entry.phases.reduce((sum, { ms }) => sum + ms, 0);
}

function expectWellFormed(entry: TimelineEntry): void {
  for (const { ms } of entry.phases) {
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(Math.round(ms * 10) / 10).toBe(ms);
  }
  expect(entry.atMs).toBeGreaterThanOrEqual(0);
  expect(Math.round(entry.atMs * 10) / 10).toBe(entry.atMs);
}

describe('the timeline of one session', () => {
  it('times a probe layer by layer, from the run start, without the query', async (test) => {
    const runStartedAt = performance.now();
    const probe = await session(test, runStartedAt).probe(`https://localhost:${port}/path?token=hidden`, {
      timeoutMs: TIMEOUT,
      material: material(),
      lookup: localhostOnly,
    });
    const after = performance.now() - runStartedAt;
    expect(probe.failure).toBeUndefined();
    expect(probe.timeline).toMatchObject({ kind: 'probe', label: `HEAD https://localhost:${port}/path` });
    expect(names(probe.timeline)).toEqual(['dns', 'connect', 'tls', 'sent', 'wait']);
    expectWellFormed(probe.timeline);
    expect(end(probe.timeline)).toBeLessThanOrEqual(after + 0.5);
    // The phases add up to the layers the probe reports.
    const tls = probe.timeline.phases.find(({ name }) => name === 'tls')!;
    expect(tls.ms).toBeGreaterThanOrEqual(probe.timings.tlsMs! - 0.2);
  });

  it('shows a request over the probe’s kept connection as reused, after the probe', async (test) => {
    const runStartedAt = performance.now();
    const http = session(test, runStartedAt);
    const probe = await http.probe(`https://127.0.0.1:${port}/`, { timeoutMs: TIMEOUT, material: material() });
    const response = await http.request({ url: `https://127.0.0.1:${port}/data`, method: 'POST', body: '{}', timeoutMs: TIMEOUT, material: material() });
    // An IP address has no lookup.
    expect(names(probe.timeline)).toEqual(['connect', 'tls', 'sent', 'wait']);
    expect(response.timeline).toMatchObject({ kind: 'request', label: `POST https://127.0.0.1:${port}/data`, reused: true });
    expect(names(response.timeline!)).toEqual(['sent', 'wait', 'body']);
    expectWellFormed(response.timeline!);
    expect(response.timeline!.atMs).toBeGreaterThanOrEqual(end(probe.timeline) - 0.2);
    // The server held the body back 30 ms after the headers.
    expect(response.timeline!.phases[2]!.ms).toBeGreaterThanOrEqual(20);
  });

  it('times the connection a request opens, and marks the next request on it reused', async (test) => {
    const runStartedAt = performance.now();
    const http = session(test, runStartedAt);
    const first = await http.request({ url: `https://localhost:${port}/one?code=hidden`, timeoutMs: TIMEOUT, material: material() });
    // undici hands the connection back to its pool a moment after the response ends.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await http.request({ url: `https://localhost:${port}/two`, timeoutMs: TIMEOUT, material: material() });
    expect(first.timeline).toMatchObject({ label: `GET https://localhost:${port}/one`, reused: false });
    expect(names(first.timeline!)).toEqual(['dns', 'connect', 'tls', 'sent', 'wait', 'body']);
    expectWellFormed(first.timeline!);
    expect(second.timeline, JSON.stringify([first.timeline, second.timeline])).toMatchObject({ reused: true });
    expect(names(second.timeline!)).toEqual(['sent', 'wait', 'body']);
    expect(second.timeline!.atMs).toBeGreaterThanOrEqual(end(first.timeline!) - 0.2);
    // Within 0.1 ms rounding per phase, the phases span the request as timed end to end.
    expect(Math.abs(first.timeline!.phases.slice(3).reduce((sum, { ms }) => sum + ms, 0) - first.timings.totalMs)).toBeLessThan(first.timings.totalMs);
  });

  it('keeps the phases a failed request got through', async (test) => {
    const http = session(test, performance.now());
    const untrusted = await http.request({ url: `https://127.0.0.1:${port}/`, timeoutMs: TIMEOUT, material: {} }).catch((error: unknown) => error);
    // The handshake failed (an unknown CA): undici never wrote the request.
    expect(untrusted).toMatchObject({ name: 'HttpFailure' });
    expect((untrusted as { timeline?: unknown }).timeline).toBeUndefined();
    const cut = await http.request({ url: `https://127.0.0.1:${port}/cut`, timeoutMs: TIMEOUT, material: material() }).catch((error: unknown) => error);
    // The connection closed in the body: the headers came, the body did not.
    expect(cut).toMatchObject({ name: 'HttpFailure' });
    expect(names((cut as { timeline: TimelineEntry }).timeline)).toEqual(['connect', 'tls', 'sent', 'wait']);
  });
});

describe('the timeline of a run', () => {
  let sandbox: Sandbox;
  let secret: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ quiet: true });
    secret = (await readFile(sandbox.envFile, 'utf8')).match(/^THREDD_CLIENT_SECRET=(.+)$/m)![1]!;
  });

  afterAll(() => sandbox?.close());

  const NETWORK_CHECKS = ['network.token-endpoint', 'network.api-endpoint', 'jwks.fetch', 'token.request', 'probe.call'];

  it('puts every probe and request of every config on the run’s axis', async () => {
    const configs = [sandbox.configs['private_key_jwt-mtls']!, sandbox.configs['client_secret_basic-tls']!];
    const result = await golive(['check', '--env-file', sandbox.envFile, '--format', 'json', ...configs], sandbox.dir);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as Report;
    expect(result.stdout).not.toContain(secret);
    for (const run of report.runs) {
      const timelines = new Map<string, TimelineEntry[]>();
      for (const check of run.checks.filter(({ id }) => NETWORK_CHECKS.includes(id))) {
        expect(check.status, check.id).toBe('pass');
        const timeline = check.evidence?.timeline as TimelineEntry[] | undefined;
        expect(timeline, check.id).toHaveLength(1);
        timelines.set(check.id, timeline!);
        for (const entry of timeline!) {
          expectWellFormed(entry);
          expect(entry.label).not.toMatch(/\?/);
          expect(end(entry)).toBeLessThanOrEqual(report.durationMs + 1);
        }
      }
      expect([...timelines.keys()].sort()).toEqual([...NETWORK_CHECKS].sort());
      for (const id of ['network.token-endpoint', 'network.api-endpoint']) {
        expect(timelines.get(id)![0]).toMatchObject({ kind: 'probe' });
        expect(names(timelines.get(id)![0]!)).toEqual(['connect', 'tls', 'sent', 'wait']);
      }
      // Each request follows the probe of its host, over the connection the probe kept, or one undici kept.
      for (const [request, probe] of [
        ['token.request', 'network.token-endpoint'],
        ['probe.call', 'network.api-endpoint'],
      ] as const) {
        const [sent] = timelines.get(request)!;
        expect(sent).toMatchObject({ kind: 'request', reused: true });
        expect(names(sent!)).toEqual(['sent', 'wait', 'body']);
        expect(sent!.atMs).toBeGreaterThanOrEqual(end(timelines.get(probe)![0]!) - 0.2);
      }
    }
  });
});
