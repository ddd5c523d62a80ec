import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { TlsMaterial } from './probe.js';

/** Connections per host: the platform allows 20 per client IP, so stay far below. */
export const MAX_CONNECTIONS_PER_HOST = 4;

/** Connections open at once in a run, every host together. */
export const MAX_CONNECTIONS = 8;

/** How long a connection golive closes may take to close on the server's side before it is dropped. */
const CLOSE_GRACE_MS = 1_000;

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  host: string;
  grant: (release: Release) => void;
  /** An idle connection was closed to make room for this waiter. */
  evicted?: boolean;
}

/** The kept-alive connections of one HTTP client to one origin: idle when no request is on them or waiting for them. */
export interface Pool {
  name: string;
  idle: () => boolean;
}

/** An open connection holding a slot. */
interface Held {
  host: string;
  /** The socket to close: the TLS socket once TLS runs over the connection. */
  socket: Socket;
  pool?: Pool;
}

/** What identifies a TLS identity: the anchors trusted and the certificate presented. */
export function identityOf(material: TlsMaterial): string {
  return createHash('sha256')
    .update(JSON.stringify([material.extraCa ?? [], material.clientCertificate?.cert ?? '']))
    .digest('hex');
}

/** The native side of a SecureContext: Node's own createSecureContext adds each `ca` through it. */
interface NativeContext {
  addCACert?: (pem: string) => void;
}

/**
 * A context that trusts Node's roots (those NODE_EXTRA_CA_CERTS adds
 * included) plus `extraCa`. Setting the `ca` option replaces the roots, and
 * giving them back as PEM (`tls.rootCertificates`) parses ~145 certificates,
 * ~50 ms. So the context starts from the roots Node already holds and the
 * extra anchors are added to it alone: Node gives the context its own copy
 * of the root store before adding, the process's default stays as it was
 * (test/net/connection-cap.test.ts proves both). Where the native call is
 * missing, the `ca` option does the same, slowly.
 */
function secureContextFor(tls: typeof import('node:tls'), material: TlsMaterial): SecureContext {
  const client = material.clientCertificate && { cert: material.clientCertificate.cert, key: material.clientCertificate.key };
  const extra = material.extraCa ?? [];
  if (extra.length === 0) return tls.createSecureContext({ ...client });
  const context = tls.createSecureContext({ ...client });
  const native = (context as { context?: NativeContext }).context;
  if (typeof native?.addCACert !== 'function') return tls.createSecureContext({ ...client, ca: [...tls.rootCertificates, ...extra] });
  for (const pem of extra) native.addCACert(pem);
  return context;
}

/**
 * What every connection of a run shares, whichever check opens it (the
 * layer probes, the inspection handshake, the HTTP requests) and for every
 * config of the run:
 * - one TLS secure context per identity, built once, not per connection;
 * - the connection slots: at most MAX_CONNECTIONS_PER_HOST to one host and
 *   MAX_CONNECTIONS in all are open at once; a connection waits for a slot,
 *   and its slot frees when its socket closes. A kept-alive connection with
 *   nothing to do is closed when another connection is waiting for its slot.
 */
export class Connections {
  readonly #contexts = new Map<string, Promise<SecureContext>>();
  readonly #open = new Map<string, number>();
  readonly #waiting: Waiter[] = [];
  readonly #held = new Map<Socket, Held>();
  /** Connections of a pool being closed to free their slot: its next request waits until they have (see quiet). */
  readonly #closing = new Map<string, Set<Promise<void>>>();
  #total = 0;
  #peak = { total: 0, perHost: 0 };

  constructor(readonly limits = { perHost: MAX_CONNECTIONS_PER_HOST, total: MAX_CONNECTIONS }) {}

  /** The secure context of this identity (Node's roots plus `extraCa`; the client certificate on mTLS), built once. */
  secureContext(material: TlsMaterial): Promise<SecureContext> {
    const identity = identityOf(material);
    let context = this.#contexts.get(identity);
    if (!context) {
      context = import('node:tls').then((tls) => secureContextFor(tls, material));
      this.#contexts.set(identity, context);
    }
    return context;
  }

  /** The most connections that were open at once: to one host, and in all. */
  get peak(): { total: number; perHost: number } {
    return { ...this.#peak };
  }

  /** Waits for a slot to `host` (host:port); rejects when `signal` aborts first. */
  slot(host: string, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#free(host)) return Promise.resolve(this.#take(host));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        host,
        grant: (release) => {
          signal?.removeEventListener('abort', abandon);
          resolve(release);
        },
      };
      const abandon = (): void => {
        const at = this.#waiting.indexOf(waiter);
        if (at !== -1) this.#waiting.splice(at, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', abandon, { once: true });
      this.#waiting.push(waiter);
      this.reclaimIdle();
    });
  }

  /**
   * Closes kept-alive connections with nothing to do that a waiting
   * connection needs the slot of (one per waiter): the HTTP session calls
   * this when its requests to a host are done.
   */
  reclaimIdle(): void {
    for (const waiter of this.#waiting) {
      if (waiter.evicted) continue;
      const hostFull = (this.#open.get(waiter.host) ?? 0) >= this.limits.perHost;
      const candidate = [...this.#held].find(([, held]) => (!hostFull || held.host === waiter.host) && held.pool?.idle() === true);
      if (!candidate) continue;
      const [raw, held] = candidate;
      waiter.evicted = true;
      this.#closePolitely(raw, held);
    }
  }

  /**
   * The connection opened on `raw` now belongs to `pool`: a probe's
   * connection kept for the requests that follow it. It keeps its slot, and
   * is closed like the pool's own when idle and another connection waits.
   */
  assign(raw: Socket, pool: Pool): void {
    const held = this.#held.get(raw);
    if (held) held.pool = pool;
  }

  /** Closes the connection opened on `raw` the polite way; its slot frees once the server has closed its side too. */
  close(raw: Socket): void {
    const held = this.#held.get(raw);
    if (held) this.#closePolitely(raw, held);
    else raw.destroy();
  }

  #closePolitely(raw: Socket, { socket, pool }: Held): void {
    this.#held.delete(raw);
    // Closed the polite way (TLS close_notify, then FIN): the slot frees once the server has closed its side
    // too, so the server never counts more connections than the limits.
    if (pool) {
      const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
      const closing = this.#closing.get(pool.name) ?? new Set();
      closing.add(closed);
      this.#closing.set(pool.name, closing);
      void closed.then(() => {
        closing.delete(closed);
        if (closing.size === 0 && this.#closing.get(pool.name) === closing) this.#closing.delete(pool.name);
      });
    }
    socket.end();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /**
   * Resolves once no connection of `pool` is being closed: a request must not
   * be handed a connection whose writing side golive has already ended.
   */
  async quiet(pool: string): Promise<void> {
    const closing = this.#closing.get(pool);
    if (closing) await Promise.all(closing);
  }

  /**
   * Opens a connection to `host` (host:port) in a slot: waits for one (until
   * `signal` aborts), then runs `open`; the slot frees when the socket closes,
   * or at once when `open` fails.
   */
  async connect<T extends Socket>(host: string, signal: AbortSignal, open: () => Promise<T>, pool?: Pool): Promise<T> {
    // `[::1]:443` (a URL's host) and `::1:443` (a probe's) are one host.
    const key = host.replace(/^\[([^\]]*)\]/, '$1');
    const release = await this.slot(key, signal);
    let socket: T;
    try {
      socket = await open();
    } catch (error) {
      release();
      throw error;
    }
    if (socket.destroyed) {
      release();
      return socket;
    }
    this.#held.set(socket, { host: key, socket, ...(pool && { pool }) });
    socket.once('close', () => {
      this.#held.delete(socket);
      release();
    });
    return socket;
  }

  /** TLS now runs over `raw`: closing the connection closes `secure` (close_notify, then FIN). */
  securedBy(raw: Socket, secure: Socket): void {
    const held = this.#held.get(raw);
    if (held) held.socket = secure;
  }

  #free(host: string): boolean {
    return this.#total < this.limits.total && (this.#open.get(host) ?? 0) < this.limits.perHost;
  }

  #take(host: string): Release {
    const count = (this.#open.get(host) ?? 0) + 1;
    this.#open.set(host, count);
    this.#total += 1;
    this.#peak = { total: Math.max(this.#peak.total, this.#total), perHost: Math.max(this.#peak.perHost, count) };
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(host) ?? 1) - 1;
      if (left === 0) this.#open.delete(host);
      else this.#open.set(host, left);
      this.#total -= 1;
      this.#grantWaiting();
    };
  }

  /** Hands freed slots to the longest-waiting connections that fit (first come, first served per host). */
  #grantWaiting(): void {
    for (let at = 0; at < this.#waiting.length; ) {
      const waiter = this.#waiting[at]!;
      if (!this.#free(waiter.host)) {
        at += 1;
        continue;
      }
      this.#waiting.splice(at, 1);
      waiter.grant(this.#take(waiter.host));
    }
  }
}
