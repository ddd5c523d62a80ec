import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

interface Parked {
  raw: Socket;
  timer: NodeJS.Timeout;
  forget: () => void;
}

/**
 * Probe connections waiting for the request that follows the probe, by the
 * HTTP pool that will take them (identity, timeout and origin). A connection
 * waits at most `idleMs`, less than the server said it keeps one, and is
 * closed (`close`) when nothing took it; one the server or a proxy closes
 * meanwhile is forgotten.
 */
export class Parking {
  readonly #byPool = new Map<string, Map<TLSSocket, Parked>>();

  constructor(private readonly close: (raw: Socket) => void) {}

  park(pool: string, socket: TLSSocket, raw: Socket, idleMs: number): void {
    const parked = this.#byPool.get(pool) ?? new Map<TLSSocket, Parked>();
    this.#byPool.set(pool, parked);
    // Nothing reads it while it waits: an error (a reset) must not go unheard.
    const ignore = (): void => undefined;
    const forget = (): void => {
      clearTimeout(entry.timer);
      socket.off('error', ignore);
      socket.off('close', forget);
      parked.delete(socket);
      if (parked.size === 0 && this.#byPool.get(pool) === parked) this.#byPool.delete(pool);
    };
    const entry: Parked = {
      raw,
      forget,
      timer: setTimeout(() => {
        forget();
        this.close(raw);
      }, idleMs).unref(),
    };
    socket.on('error', ignore);
    socket.once('close', forget);
    // Paused, anything the server sends stays unread, and the connection is not taken (see take).
    socket.pause();
    parked.set(socket, entry);
  }

  /** A connection of `pool` still open both ways with nothing unread, no longer parked; those that are not are closed. */
  take(pool: string): TLSSocket | undefined {
    for (const [socket, { raw, forget }] of this.#byPool.get(pool) ?? []) {
      forget();
      if (!socket.destroyed && socket.writable && !socket.writableEnded && socket.readable && socket.readableLength === 0) return socket;
      this.close(raw);
    }
    return undefined;
  }

  /** Drops every parked connection (the session closing). */
  destroyAll(): void {
    for (const parked of [...this.#byPool.values()]) {
      for (const [socket, { forget }] of [...parked]) {
        forget();
        socket.destroy();
      }
    }
  }
}
