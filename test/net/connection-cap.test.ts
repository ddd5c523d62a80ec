import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfigs } from '../../src/check-run.js';
import { DEFAULT_OPTIONS } from '../../src/pipeline/context.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { Connections } from '../../src/net/connections.js';
import { connect as connectTls, type SecureContext } from 'node:tls';
import { configVariant, sandboxEnv, sandboxServerCertificate, startTlsServer } from '../support/online.js';

/**
 * A TCP relay in front of one sandbox host: it counts the connections open
 * through it, so the test sees what the platform would see.
 */
interface CountingRelay {
  url(original: string): string;
  open: number;
  peak: number;
  accepted: number;
  server: Server;
}

const relays: CountingRelay[] = [];
let openInAll = 0;
let peakInAll = 0;

async function relayTo(target: string): Promise<CountingRelay> {
  const targetUrl = new URL(target);
  const relay: CountingRelay = {
    url: (original) => {
      const url = new URL(original);
      url.port = String((relay.server.address() as AddressInfo).port);
      return decodeURI(url.href);
    },
    open: 0,
    peak: 0,
    accepted: 0,
    server: createServer((client: Socket) => {
      relay.accepted += 1;
      relay.open += 1;
      openInAll += 1;
      relay.peak = Math.max(relay.peak, relay.open);
      peakInAll = Math.max(peakInAll, openInAll);
      const upstream = connect(Number(targetUrl.port), '127.0.0.1');
      client.pipe(upstream).pipe(client);
      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        relay.open -= 1;
        openInAll -= 1;
        client.destroy();
        upstream.destroy();
      };
      for (const socket of [client, upstream]) {
        socket.on('error', close);
        socket.on('close', close);
      }
    }),
  };
  await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
  relays.push(relay);
  return relay;
}

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
});

afterAll(async () => {
  for (const relay of relays) relay.server.close();
  await sandbox?.close();
});

describe('the connection cap across a run', () => {
  it('30 configs in one run, three identities: at most 4 connections to a host and 8 in all, as the platform sees them', async () => {
    const { endpoints } = sandbox;
    const [tokenMtls, tokenTls, jwks, apiMtls, apiTls] = await Promise.all(
      [endpoints.tokenMtls, endpoints.token, endpoints.jwks, endpoints.apiMtls, endpoints.api].map(relayTo),
    );
    const jwksTemplate = `${jwks!.url('http://127.0.0.1:1/')}{organisationId}/jwks.json`;
    const variants = (name: string, token: CountingRelay, api: CountingRelay, original: { token: string; api: string }): string[] =>
      Array.from({ length: 10 }, () =>
        configVariant(sandbox.configs[name]!, { endpoints: { token: token.url(original.token), api: api.url(original.api), jwks: jwksTemplate } }),
      );
    const configs = [
      ...variants('private_key_jwt-mtls', tokenMtls!, apiMtls!, { token: endpoints.tokenMtls, api: endpoints.apiMtls }),
      ...variants('client_secret_post-mtls', tokenMtls!, apiMtls!, { token: endpoints.tokenMtls, api: endpoints.apiMtls }),
      ...variants('private_key_jwt-tls', tokenTls!, apiTls!, { token: endpoints.token, api: endpoints.api }),
    ];

    const { report } = await checkConfigs({ configs, options: DEFAULT_OPTIONS, env: sandboxEnv(sandbox) });

    // Every config got through, every check ran: the cap slowed nothing into a failure.
    for (const run of report.runs) {
      const failed = run.checks.filter((check) => check.status === 'fail' || check.status === 'warn');
      expect(failed.map((check) => `${check.id}: ${check.message}`)).toEqual([]);
    }
    // Every host was reached through its relay, so the counts below are the run's.
    for (const relay of relays) expect(relay.accepted).toBeGreaterThan(0);
    for (const relay of relays) expect(relay.peak).toBeLessThanOrEqual(4);
    expect(peakInAll).toBeLessThanOrEqual(8);
    // The organisation JWKS was fetched once for the run, not once per config.
    expect(jwks!.accepted).toBe(1);
  }, 60_000);
});

describe('Connections', () => {
  it('grants at most the per-host and total limits at once, and the next waiter when a slot frees', async () => {
    const connections = new Connections({ perHost: 2, total: 3 });
    const a1 = await connections.slot('a:443');
    const a2 = await connections.slot('a:443');
    let third: (() => void) | undefined;
    const waiting = connections.slot('a:443').then((release) => (third = release));
    const b1 = await connections.slot('b:443');
    let fourth: (() => void) | undefined;
    const waitingB = connections.slot('b:443').then((release) => (fourth = release));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect([third, fourth]).toEqual([undefined, undefined]);
    a1();
    a1(); // twice frees one slot
    await waiting;
    expect(third).toBeTypeOf('function');
    expect(fourth).toBeUndefined();
    b1();
    await waitingB;
    expect(connections.peak).toEqual({ total: 3, perHost: 2 });
    for (const release of [a2, third!, fourth!]) release();
  });

  it('gives up waiting when the signal aborts, and the slot goes to the next waiter', async () => {
    const connections = new Connections({ perHost: 1, total: 8 });
    const held = await connections.slot('a:443');
    const abort = new AbortController();
    const abandoned = connections.slot('a:443', abort.signal);
    const next = connections.slot('a:443');
    abort.abort(new Error('deadline'));
    await expect(abandoned).rejects.toThrow('deadline');
    held();
    await expect(next).resolves.toBeTypeOf('function');
  });

  it('frees a slot when its connection fails to open, and when its socket closes', async () => {
    const connections = new Connections({ perHost: 1, total: 8 });
    const signal = new AbortController().signal;
    await expect(connections.connect('a:1', signal, () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
        socket.once('error', reject);
      });
    const first = await connections.connect('a:1', signal, open);
    const second = connections.connect('a:1', signal, open);
    first.destroy();
    (await second).destroy();
    server.close();
  });

  it('trusts the extra anchors in its own context, and the process default still does not', async () => {
    const server = await startTlsServer(await sandboxServerCertificate(sandbox, 'CN=anchors.local'));
    const handshake = (options: { secureContext?: SecureContext }): Promise<string> =>
      new Promise((resolve) => {
        const socket = connectTls({ host: '127.0.0.1', port: server.port, ...options }, () => {
          socket.destroy();
          resolve('trusted');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
    try {
      const context = await new Connections().secureContext({ extraCa: [sandbox.ca.cert] });
      expect(await handshake({ secureContext: context })).toBe('trusted');
      expect(await handshake({})).toMatch(/UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED|UNABLE_TO_VERIFY/);
      const withoutAnchors = await new Connections().secureContext({});
      expect(await handshake({ secureContext: withoutAnchors })).not.toBe('trusted');
    } finally {
      await server.close();
    }
  });

  it('builds one secure context per identity', async () => {
    const connections = new Connections();
    const anchors = { extraCa: [sandbox.ca.cert] };
    const [one, again, other] = await Promise.all([
      connections.secureContext(anchors),
      connections.secureContext({ extraCa: [sandbox.ca.cert] }),
      connections.secureContext({}),
    ]);
    expect(again).toBe(one);
    expect(other).not.toBe(one);
  });
});
