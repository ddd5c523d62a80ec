/**
 * Counts the TCP connections a client opens to a server without touching the
 * server: a relay on 127.0.0.1 in front of it passes bytes through unchanged
 * (TLS and mTLS end to end, the relay sees ciphertext) and notes when each
 * client connection opens and closes. Point the client at the relay's port.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Open and peak connection counts, per server and in all, since the last reset. */
export class ConnectionCounter {
  readonly #open = new Map<string, number>();
  readonly #peak = new Map<string, number>();
  #openTotal = 0;
  #peakTotal = 0;
  #accepted = 0;

  opened(server: string): void {
    const open = (this.#open.get(server) ?? 0) + 1;
    this.#open.set(server, open);
    this.#peak.set(server, Math.max(this.#peak.get(server) ?? 0, open));
    this.#openTotal++;
    this.#peakTotal = Math.max(this.#peakTotal, this.#openTotal);
    this.#accepted++;
  }

  closed(server: string): void {
    this.#open.set(server, this.#open.get(server)! - 1);
    this.#openTotal--;
  }

  /** Starts a new observation; connections still open count as open in it. */
  reset(): void {
    this.#peak.clear();
    for (const [server, open] of this.#open) this.#peak.set(server, open);
    this.#peakTotal = this.#openTotal;
    this.#accepted = 0;
  }

  get openTotal(): number {
    return this.#openTotal;
  }

  /** The most connections open at once to each server that saw any. */
  peakPerServer(): Record<string, number> {
    return Object.fromEntries([...this.#peak].filter(([, peak]) => peak > 0));
  }

  get peakTotal(): number {
    return this.#peakTotal;
  }

  /** Connections accepted since the last reset. */
  get accepted(): number {
    return this.#accepted;
  }
}

export interface Relay {
  port: number;
  close(): Promise<void>;
}

/** A relay to 127.0.0.1:upstreamPort, counting its connections under `name`. */
export function startRelay(upstreamPort: number, name: string, counter: ConnectionCounter): Promise<Relay> {
  const sockets = new Set<Socket>();
  // Half-open on both legs: a FIN is passed on (by pipe), never answered early, so the relay shuts nothing the ends still use.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    counter.opened(name);
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort, allowHalfOpen: true });
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // A reset on either leg ends both: the client sees what it would without the relay.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.once('close', () => {
      sockets.delete(client);
      counter.closed(name);
      upstream.destroy();
    });
    upstream.once('close', () => {
      sockets.delete(upstream);
      if (!client.writableEnded) client.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
