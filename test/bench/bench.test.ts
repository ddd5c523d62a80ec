import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sizeFigures } from '../../bench/many.js';
import { ConnectionCounter, startRelay, type Relay } from '../../bench/relay.js';
import { rssReporter, runCounts, runNode, summaryTable } from '../../bench/support.js';

/** An upstream that answers each connection's whole input, upper-cased, once the client has finished sending (FIN). */
async function upperCaseServer(): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => socket.end(Buffer.concat(chunks).toString().toUpperCase()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

async function open(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return socket;
}

/** Half-closes, reads the answer to the end, resolves when the socket is closed. */
async function finish(socket: Socket, text: string): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.end(text);
  await once(socket, 'close');
  return Buffer.concat(chunks).toString();
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 2000) throw new Error('condition not met in 2 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('counting relay', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function relayed(counter: ConnectionCounter, name: string): Promise<Relay> {
    const { server, port } = await upperCaseServer();
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const relay = await startRelay(port, name, counter);
    cleanup.push(() => relay.close());
    return relay;
  }

  it('passes bytes both ways, through a half-close, and counts the most connections open at once per server and in all', async () => {
    const counter = new ConnectionCounter();
    const a = await relayed(counter, 'a');
    const b = await relayed(counter, 'b');
    const first = await Promise.all([open(a.port), open(a.port), open(a.port), open(b.port)]);
    await until(() => counter.openTotal === 4);
    expect(await finish(first[0]!, 'hello')).toBe('HELLO');
    await until(() => counter.openTotal === 3);
    const later = await open(b.port);
    await until(() => counter.openTotal === 4);
    await Promise.all([...first.slice(1), later].map((socket) => finish(socket, 'x')));
    await until(() => counter.openTotal === 0);
    expect(counter.peakPerServer()).toEqual({ a: 3, b: 2 });
    expect(counter.peakTotal).toBe(4);
    expect(counter.accepted).toBe(5);
  });

  it('starts a reset observation from the connections still open', async () => {
    const counter = new ConnectionCounter();
    const a = await relayed(counter, 'a');
    const held = await open(a.port);
    await finish(await open(a.port), 'y');
    await until(() => counter.openTotal === 1);
    counter.reset();
    expect(counter.peakPerServer()).toEqual({ a: 1 });
    expect(counter.peakTotal).toBe(1);
    expect(counter.accepted).toBe(0);
    await finish(held, 'z');
    await until(() => counter.openTotal === 0);
  });

  it('resets the client when the upstream resets', async () => {
    const server = createServer((socket) => socket.resetAndDestroy());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const counter = new ConnectionCounter();
    const relay = await startRelay((server.address() as AddressInfo).port, 'r', counter);
    cleanup.push(() => relay.close());
    const socket = await open(relay.port);
    socket.on('error', () => undefined);
    await once(socket, 'close');
    await until(() => counter.openTotal === 0);
    expect(counter.peakPerServer()).toEqual({ r: 1 });
  });
});

describe('child runs', () => {
  const allocate = ['-e', 'globalThis.kept = Buffer.alloc(120 * 1024 * 1024, 1)'];

  it('reports the peak RSS of the child, not of the bench', async () => {
    const run = await runNode(allocate, { maxRss: true });
    expect(run.maxRssKiB).toBeGreaterThan(120 * 1024);
    expect(run.maxRssKiB).toBeLessThan(400 * 1024);
    const small = await runNode(['-e', '0'], { maxRss: true });
    expect(small.maxRssKiB).toBeLessThan(100 * 1024);
  });

  it('has a fallback without GNU time that reports the same peak from inside the child', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/golive-bench-test-');
    try {
      const file = `${dir}/rss`;
      await runNode(['--import', rssReporter, ...allocate], { env: { ...process.env, GOLIVE_BENCH_RSS_FILE: file } });
      expect(Number(readFileSync(file, 'utf8'))).toBeGreaterThan(120 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes exit 1 as a run and throws on other exits', async () => {
    expect((await runNode(['-e', 'process.exit(1)'])).code).toBe(1);
    await expect(runNode(['-e', 'process.exit(3)'])).rejects.toThrow(/exited 3/);
  });
});

describe('figures', () => {
  it('gives the cost of each added config between sizes, from medians', () => {
    const samples = new Map([
      [1, { ms: [300, 200, 250], rss: [50, 51, 49] }],
      [50, { ms: [1250, 1240, 1900], rss: [70, 71, 72] }],
      [100, { ms: [2250], rss: [90] }],
    ]);
    expect(sizeFigures(samples)).toEqual([
      { configs: 1, wallMs: 250, maxRssKiB: 51 },
      { configs: 50, wallMs: 1250, marginalMs: 1000 / 49, maxRssKiB: 72 },
      { configs: 100, wallMs: 2250, marginalMs: 20, maxRssKiB: 90 },
    ]);
  });

  it('scales every benchmark from RUNS', () => {
    expect(runCounts(40)).toEqual({ startup: 40, online: 10, many: 4 });
    expect(runCounts(1)).toEqual({ startup: 1, online: 3, many: 3 });
    expect(() => runCounts(0)).toThrow(/RUNS/);
  });

  it('prints each figure with its goal and verdict, and counts the goals met', () => {
    const table = summaryTable([
      { figure: 'fast', measured: '1 ms', goal: '<= 2 ms', pass: true },
      { figure: 'small', measured: '90 MiB', goal: '< 80 MiB', pass: false },
    ]);
    expect(table.split('\n')).toEqual([
      'figure  measured  goal',
      '------  --------  --------  ----',
      'fast    1 ms      <= 2 ms   PASS',
      'small   90 MiB    < 80 MiB  MISS',
      '1 of 2 goals met',
    ]);
  });
});
