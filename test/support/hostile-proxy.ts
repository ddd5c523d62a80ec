import { connect, createServer, type Socket } from 'node:net';

/**
 * A forward proxy on 127.0.0.1 that misbehaves on purpose, per CONNECT:
 *
 *   tunnel               answers 200 and relays bytes (to 127.0.0.1 only)
 *   tunnel-once          a tunnel that carries one exchange: it closes when
 *                        the client speaks a third time (TLS 1.3: its hello,
 *                        then its finish and request; the third is a second
 *                        request over the same connection), the way a proxy
 *                        that gives each tunnel one request does
 *   silent               reads the CONNECT and never answers
 *   connect-then-silent  answers 200, then neither relays nor says anything
 *   trickle              sends its 200 answer one byte every TRICKLE_MS, so
 *                        no idle timeout ever fires
 *
 * `policy(target, nth)` picks the behaviour for the nth CONNECT (from 1) to
 * `target` ("127.0.0.1:PORT"), so a proxy can let the reachability probe
 * through and then hang the request that follows it.
 */
export type ProxyBehaviour = 'tunnel' | 'tunnel-once' | 'silent' | 'connect-then-silent' | 'trickle';

export interface HostileProxy {
  port: number;
  /** `http://127.0.0.1:PORT`, for HTTPS_PROXY / HTTP_PROXY. */
  url: string;
  /** Every CONNECT target, in order. */
  targets: string[];
  /** Client connections the proxy still holds open. */
  openConnections(): number;
  /** Tunnels a `tunnel-once` closed because the client spoke again over them. */
  tunnelsClosedOnReuse(): number;
  close(): Promise<void>;
}

export const TRICKLE_MS = 250;

const ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';

/**
 * Relays bytes both ways until the client starts its turn number
 * `clientTurns + 1` (a turn: what it sends after the server last spoke),
 * then closes both sides without relaying it.
 */
function relay(client: Socket, upstream: Socket, clientTurns: number, onClosed: () => void): void {
  let turns = 0;
  let serverSpoke = true;
  client.on('data', (data: Buffer) => {
    if (serverSpoke) {
      turns += 1;
      serverSpoke = false;
    }
    if (turns > clientTurns) {
      if (!client.destroyed) onClosed();
      client.destroy();
      upstream.destroy();
      return;
    }
    upstream.write(data);
  });
  upstream.on('data', (data: Buffer) => {
    serverSpoke = true;
    client.write(data);
  });
  client.on('end', () => upstream.end());
  upstream.on('end', () => client.end());
}

export async function startHostileProxy(policy: ProxyBehaviour | ((target: string, nth: number) => ProxyBehaviour)): Promise<HostileProxy> {
  const choose = typeof policy === 'function' ? policy : () => policy;
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  const targets: string[] = [];
  const seen = new Map<string, number>();
  let closedOnReuse = 0;

  const act = (client: Socket, target: string): void => {
    const nth = (seen.get(target) ?? 0) + 1;
    seen.set(target, nth);
    const behaviour = choose(target, nth);
    switch (behaviour) {
      case 'silent':
        return;
      case 'connect-then-silent':
        client.write(ESTABLISHED);
        return;
      case 'trickle': {
        let index = 0;
        const timer = setInterval(() => {
          if (client.destroyed || index >= ESTABLISHED.length) clearInterval(timer);
          else client.write(ESTABLISHED[index++]!);
        }, TRICKLE_MS);
        client.once('close', () => clearInterval(timer));
        return;
      }
      case 'tunnel':
      case 'tunnel-once': {
        const [host, port] = target.split(':');
        if (host !== '127.0.0.1') {
          client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
          return;
        }
        const upstream = connect({ host: '127.0.0.1', port: Number(port) }, () => {
          client.write(ESTABLISHED);
          relay(client, upstream, behaviour === 'tunnel-once' ? 2 : Number.POSITIVE_INFINITY, () => (closedOnReuse += 1));
        });
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
      }
    }
  };

  const server = createServer((client) => {
    sockets.add(client);
    clients.add(client);
    client.on('close', () => {
      sockets.delete(client);
      clients.delete(client);
    });
    client.on('error', () => client.destroy());
    let head = '';
    const onData = (data: Buffer): void => {
      head += data.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      client.off('data', onData);
      const target = /^CONNECT (\S+) HTTP/.exec(head)?.[1] ?? '';
      targets.push(target);
      act(client, target);
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    targets,
    openConnections: () => [...clients].filter((socket) => !socket.destroyed).length,
    tunnelsClosedOnReuse: () => closedOnReuse,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
