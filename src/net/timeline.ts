import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/**
 * When each phase of a probe or request happened, on the run's time axis:
 * what the HTML report draws as a waterfall. The phases of one exchange are
 * contiguous, each from where the one before ended to its own end, so drawn
 * end to end from `atMs` every bar sits where it happened.
 */
export type PhaseName = 'dns' | 'connect' | 'proxy' | 'tls' | 'sent' | 'wait' | 'body';

export interface Phase {
  name: PhaseName;
  ms: number;
}

export interface TimelineEntry {
  kind: 'probe' | 'request';
  /** Method, origin and path: never a query string or credentials. */
  label: string;
  /** When the first phase began, in ms since the run started. */
  atMs: number;
  phases: Phase[];
  /** The request went over a connection opened before it (the probe's, or an earlier request's): no dns, connect or tls. */
  reused?: boolean;
}

function tenths(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** `HEAD https://host:port/path`: what a timeline entry is called. */
export function exchangeLabel(method: string, url: URL): string {
  return `${method} ${url.origin}${url.pathname}`;
}

/** The phases of one exchange as they end, each measured from the end of the one before. */
export class PhaseClock {
  readonly phases: Phase[] = [];
  #last: number;

  constructor(readonly startedAt = performance.now()) {
    this.#last = startedAt;
  }

  end(name: PhaseName, at = performance.now()): void {
    this.phases.push({ name, ms: tenths(at - this.#last) });
    this.#last = at;
  }

  /** The entry, `runStartedAt` being performance.now() when the run started. */
  entry(kind: TimelineEntry['kind'], label: string, runStartedAt: number, reused?: boolean): TimelineEntry {
    return { kind, label, atMs: tenths(this.startedAt - runStartedAt), phases: [...this.phases], ...(reused !== undefined && { reused }) };
  }
}

/**
 * A request as undici sends it: the clock gets `sent` (the request written)
 * and `wait` (its response headers) from undici's diagnostics channels; the
 * session adds `body`. Before undici writes it, `clock` is undefined.
 */
export interface Exchange {
  /** `METHOD origin path`, as undici's request names it. */
  readonly key: string;
  clock?: PhaseClock;
  reused?: boolean;
  answered?: boolean;
}

/** Connections golive's connector opened that no request went over yet, with the clock of their dns, connect and tls. */
const unused = new WeakMap<Socket, PhaseClock>();
/** The undici request each exchange became. */
const byRequest = new WeakMap<object, Exchange>();
/** Exchanges handed to undici whose request it did not create yet (a pool with every connection busy queues it). */
const pending: Exchange[] = [];
let creating: Exchange | undefined;
let watching = false;

interface UndiciRequest {
  method: string;
  origin: string;
  path: string;
}

function exchangeOf(message: unknown): Exchange | undefined {
  return byRequest.get((message as { request: object }).request);
}

/** Subscribes to undici's request channels once per process. */
function watchUndici(): void {
  if (watching) return;
  watching = true;
  subscribe('undici:request:create', (message) => {
    const request = (message as { request: UndiciRequest }).request;
    const key = `${request.method} ${request.origin}${request.path}`;
    // Created inside dispatch(), or later from the pool's queue, which keeps the order requests came in.
    const index = creating?.key === key ? pending.indexOf(creating) : pending.findIndex((exchange) => exchange.key === key);
    if (index === -1) return;
    byRequest.set(request, pending[index]!);
    pending.splice(index, 1);
  });
  subscribe('undici:client:sendHeaders', (message) => {
    const exchange = exchangeOf(message);
    if (!exchange) return;
    const socket = (message as { socket: Socket }).socket;
    const opened = unused.get(socket);
    unused.delete(socket);
    exchange.clock = opened ?? new PhaseClock();
    exchange.reused = opened === undefined;
  });
  subscribe('undici:request:bodySent', (message) => exchangeOf(message)?.clock?.end('sent'));
  subscribe('undici:request:headers', (message) => {
    const exchange = exchangeOf(message);
    if (!exchange?.clock || exchange.answered) return;
    exchange.answered = true;
    exchange.clock.end('wait');
  });
}

/** A connection the connector opened, timed by `clock`: the first request over it shows its dns, connect and tls. */
export function connectionOpened(socket: Socket, clock: PhaseClock): void {
  unused.set(socket, clock);
}

/**
 * Runs `dispatch` (which hands one request to undici) and follows the
 * request it becomes. A request undici never created (a failure before it)
 * leaves the exchange without a clock.
 */
export function followExchange<T>(method: string, url: URL, dispatch: () => T): { exchange: Exchange; dispatched: T } {
  watchUndici();
  const exchange: Exchange = { key: `${method} ${url.origin}${url.pathname}${url.search}` };
  pending.push(exchange);
  creating = exchange;
  try {
    return { exchange, dispatched: dispatch() };
  } finally {
    creating = undefined;
  }
}

/** Forgets an exchange undici never created (it failed first). */
export function dropExchange(exchange: Exchange): void {
  const index = pending.indexOf(exchange);
  if (index !== -1) pending.splice(index, 1);
}
