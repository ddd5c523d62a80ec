import { createServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { Connections } from '../../src/net/connections.js';
import type { HttpSession } from '../../src/net/http.js';
import { openHttpSession } from '../../src/net/session.js';
import { createCa, issueCertificate, type Issued } from '../../src/sandbox/pki.js';
import { startHostileProxy } from '../support/hostile-proxy.js';

// The request after a probe goes over the connection the probe opened (no
// second TCP or CONNECT, no second TLS handshake), when the server said it
// keeps it; a kept connection the server drops just then costs a resend.

/**
 * How the server answers, by the path of a connection's first request:
 *   /keep         keeps every connection (Keep-Alive: timeout=5)
 *   /close        answers the HEAD with Connection: close and closes
 *   /short        keeps it, but says Keep-Alive: timeout=1 (less than golive's margin)
 *   /extra        sends bytes after its answer to HEAD
 *   /drop-second  closes the connection, unanswered, when a second request arrives on it
 * Every other answer is 200 with `{"connection":N,"request":M}`.
 */
interface CountingServer {
  url(path: string): string;
  /** Connections accepted, and those closed since. */
  connections(): number;
  closed(): number;
  close(): Promise<void>;
}

let ca: Issued;
let serverCertificate: Issued;

beforeAll(async () => {
  ca = await createCa('CN=golive keep-alive test CA');
  serverCertificate = await issueCertificate({ subject: 'CN=127.0.0.1', issuer: ca, ipAddresses: ['127.0.0.1'], extKeyUsage: ['serverAuth'] });
});

async function startServer(test: Pick<TestContext, 'onTestFinished'>): Promise<CountingServer> {
  const sockets = new Set<TLSSocket>();
  let accepted = 0;
  let closed = 0;
  const server = createServer({ cert: serverCertificate.certPem, key: serverCertificate.keyPem }, (socket) => {
    const connection = ++accepted;
    sockets.add(socket);
    socket.on('close', () => {
      closed += 1;
      sockets.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    let buffer = '';
    let requests = 0;
    let first = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffer.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        buffer = buffer.slice(end + 4 + length);
        const [method = '', path = ''] = head.split(' ');
        requests += 1;
        first ||= path;
        if (first === '/drop-second' && requests === 2) {
          socket.destroy();
          return;
        }
        if (method === 'HEAD') {
          const close = first === '/close';
          socket.write(
            `HTTP/1.1 200 OK\r\nContent-Length: 0\r\n${close ? 'Connection: close' : `Connection: keep-alive\r\nKeep-Alive: timeout=${first === '/short' ? 1 : 5}`}\r\n\r\n${first === '/extra' ? 'junk' : ''}`,
          );
          if (close) socket.end();
          continue;
        }
        const body = JSON.stringify({ connection, request: requests });
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nKeep-Alive: timeout=5\r\n\r\n${body}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const counting: CountingServer = {
    url: (path) => `https://127.0.0.1:${port}${path}`,
    connections: () => accepted,
    closed: () => closed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  test.onTestFinished(() => counting.close());
  return counting;
}

function session(test: Pick<TestContext, 'onTestFinished'>, env: Record<string, string> = {}, connections = new Connections()): HttpSession {
  const opened = openHttpSession(env, connections);
  test.onTestFinished(() => opened.close());
  return opened;
}

const material = (): { extraCa: string[] } => ({ extraCa: [ca.certPem] });
const TIMEOUT = 5_000;

async function until(condition: () => boolean, withinMs: number): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
}

/** The probe's connection is still open a while after the probe: it was kept. */
async function kept(server: CountingServer): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  return server.connections() === 1 && server.closed() === 0;
}

function answer(body: Buffer): { connection: number; request: number } {
  return JSON.parse(body.toString()) as { connection: number; request: number };
}

describe.concurrent('the request after a probe', () => {
  it('goes over the probe’s connection when the server keeps it', async (test) => {
    const server = await startServer(test);
    const http = session(test);
    const probe = await http.probe(server.url('/keep'), { timeoutMs: TIMEOUT, material: material() });
    expect(probe.http?.status).toBe(200);
    const response = await http.request({ url: server.url('/keep'), method: 'POST', body: 'grant_type=client_credentials', timeoutMs: TIMEOUT, material: material() });
    expect(response.status).toBe(200);
    expect(answer(response.body)).toEqual({ connection: 1, request: 2 });
    expect(server.connections()).toBe(1);
  });

  it.for([
    { name: 'answers the probe with Connection: close', path: '/close' },
    { name: 'keeps a connection less than a second longer than golive would wait (Keep-Alive: timeout=1)', path: '/short' },
    { name: 'sends bytes after its answer to HEAD', path: '/extra' },
  ])('opens its own connection when the server $name', async ({ path }, test) => {
    const server = await startServer(test);
    const http = session(test);
    const probe = await http.probe(server.url(path), { timeoutMs: TIMEOUT, material: material() });
    expect(probe.http?.status).toBe(200);
    const response = await http.request({ url: server.url(path), timeoutMs: TIMEOUT, material: material() });
    expect(answer(response.body)).toEqual({ connection: 2, request: 1 });
    expect(server.connections()).toBe(2);
    // The probe's connection did not stay open waiting for anyone.
    expect(await until(() => server.closed() >= 1, 1_000)).toBe(true);
  });

  it('is sent again on a new connection when the server drops the kept one as it arrives', async (test) => {
    const server = await startServer(test);
    const http = session(test);
    await http.probe(server.url('/drop-second'), { timeoutMs: TIMEOUT, material: material() });
    const response = await http.request({ url: server.url('/drop-second'), method: 'POST', body: 'x=1', timeoutMs: TIMEOUT, material: material() });
    expect(response.status).toBe(200);
    expect(answer(response.body)).toEqual({ connection: 2, request: 1 });
  });

  it('goes through the probe’s tunnel when a proxy is in the path', async (test) => {
    const server = await startServer(test);
    const proxy = await startHostileProxy('tunnel');
    test.onTestFinished(() => proxy.close());
    const http = session(test, { HTTPS_PROXY: proxy.url });
    await http.probe(server.url('/keep'), { timeoutMs: TIMEOUT, material: material() });
    const response = await http.request({ url: server.url('/keep'), timeoutMs: TIMEOUT, material: material() });
    expect(answer(response.body)).toEqual({ connection: 1, request: 2 });
    expect(proxy.targets).toHaveLength(1);
  });

  it('is not offered a connection a probe made with its own resolver', async (test) => {
    const server = await startServer(test);
    const http = session(test);
    const lookup = async (): Promise<{ address: string }[]> => [{ address: '127.0.0.1' }];
    await http.probe(server.url('/keep'), { timeoutMs: TIMEOUT, material: material(), lookup });
    const response = await http.request({ url: server.url('/keep'), timeoutMs: TIMEOUT, material: material() });
    expect(answer(response.body)).toEqual({ connection: 2, request: 1 });
  });

  it('is not offered a connection made with another identity', async (test) => {
    const server = await startServer(test);
    const client = await issueCertificate({ subject: 'CN=client', issuer: ca, extKeyUsage: ['clientAuth'] });
    const http = session(test);
    await http.probe(server.url('/keep'), { timeoutMs: TIMEOUT, material: { ...material(), clientCertificate: { cert: client.certPem, key: client.keyPem } } });
    const response = await http.request({ url: server.url('/keep'), timeoutMs: TIMEOUT, material: material() });
    expect(answer(response.body)).toEqual({ connection: 2, request: 1 });
  });
});

describe.concurrent('a connection a probe kept', () => {
  it('is closed after 2 s when no request takes it', async (test) => {
    const server = await startServer(test);
    const http = session(test);
    const started = performance.now();
    await http.probe(server.url('/keep'), { timeoutMs: TIMEOUT, material: material() });
    expect(await kept(server)).toBe(true);
    expect(await until(() => server.closed() === 1, 4_000)).toBe(true);
    // golive closed it, not the server (which keeps it 5 s).
    expect(performance.now() - started).toBeLessThan(4_500);
  });

  it('is dropped when the session closes', async (test) => {
    const server = await startServer(test);
    const http = session(test);
    await http.probe(server.url('/keep'), { timeoutMs: TIMEOUT, material: material() });
    expect(await kept(server)).toBe(true);
    await http.close();
    expect(await until(() => server.closed() === 1, 1_000)).toBe(true);
  });

  it('gives its slot up to a connection waiting for one', async (test) => {
    const [first, second] = await Promise.all([startServer(test), startServer(test)]);
    const connections = new Connections({ perHost: 1, total: 1 });
    const http = session(test, {}, connections);
    await http.probe(first.url('/keep'), { timeoutMs: TIMEOUT, material: material() });
    expect(await kept(first)).toBe(true);
    const started = performance.now();
    const response = await http.request({ url: second.url('/keep'), timeoutMs: TIMEOUT, material: material() });
    expect(response.status).toBe(200);
    // Not the 2 s the kept connection would otherwise wait.
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(first.closed()).toBe(1);
    expect(connections.peak).toEqual({ total: 1, perHost: 1 });
  });
});
