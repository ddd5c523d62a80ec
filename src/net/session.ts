import { setMaxListeners } from 'node:events';
import type { Socket } from 'node:net';
import type { Readable, Transform } from 'node:stream';
import type { buildConnector, Dispatcher } from 'undici';
import { contentCodings, type Undecodable } from './answer.js';
import { classifyNetworkError, isLoadingFailure } from './classify.js';
import { connectTcp, connectWithin, openTunnel, startTls, StepTimeout, withDeadline, type Progress } from './connect.js';
import { Connections, identityOf, MAX_CONNECTIONS_PER_HOST, type Pool } from './connections.js';
import { ACCEPT_ENCODING, HttpFailure, MAX_DECODED_CODINGS, type HttpRequest, type HttpResponse, type HttpSession, type ProbeOptions } from './http.js';
import { Parking } from './parking.js';
import { probeEndpoint, type KeepConnection, type ProbeResult, type TlsMaterial } from './probe.js';
import { proxyFor } from './proxy.js';
import { connectionOpened, dropExchange, exchangeLabel, followExchange, PhaseClock, type Exchange } from './timeline.js';
import { loadUndici } from './undici.js';

type Decoder = () => Transform;

/** DECODED_CODINGS and their aliases. RFC 9110 §8.4.1: `deflate` is the zlib format; `x-gzip` is gzip. */
async function decoders(): Promise<ReadonlyMap<string, Decoder>> {
  const zlib = await import('node:zlib');
  return new Map<string, Decoder>([
    ['gzip', () => zlib.createGunzip()],
    ['x-gzip', () => zlib.createGunzip()],
    ['deflate', () => zlib.createInflate()],
    ['br', () => zlib.createBrotliDecompress()],
  ]);
}

interface BodyRead {
  body: Buffer;
  truncated: boolean;
  bytesRead: number;
  encodedBytes?: number;
  undecodable?: Undecodable;
}

/** Reads at most `limit` bytes of `source` into memory; more is not read (the stream is destroyed). */
async function collect(source: Readable, limit: number): Promise<BodyRead> {
  const chunks: Buffer[] = [];
  let bytesRead = 0;
  let truncated = false;
  for await (const chunk of source) {
    const buffer = chunk as Buffer;
    bytesRead += buffer.length;
    if (bytesRead > limit) {
      chunks.push(buffer.subarray(0, buffer.length - (bytesRead - limit)));
      truncated = true;
      source.destroy();
      break;
    }
    chunks.push(buffer);
  }
  return { body: Buffer.concat(chunks), truncated, bytesRead };
}

/** Ends a decoding pipeline at the size cap: not a failure. */
class CapReached extends Error {}

/**
 * The body as sent, decoded from its Content-Encoding, the cap applied to
 * the decoded bytes: zlib inflates only as fast as it is read, so a
 * decompression bomb is cut at the cap without ever being held whole. The
 * encoded bytes are capped too (a stream of empty blocks decodes to
 * nothing). An encoding golive does not know, or bytes that do not decode,
 * give `undecodable`, never an exception.
 */
async function readBody(body: Readable, contentEncoding: string | undefined, limit: number): Promise<BodyRead> {
  const codings = contentCodings(contentEncoding);
  if (codings.length === 0) return collect(body, limit);
  // Each coding is a decoder in the pipeline: thousands of them would take the whole timeout and blame the server.
  if (codings.length > MAX_DECODED_CODINGS) {
    const read = await collect(body, limit);
    // Counted in the whole value (undici bounds the headers), not only the part contentCodings reads.
    const count = contentEncoding!.split(',').filter((coding) => !['', 'identity'].includes(coding.trim().toLowerCase())).length;
    return { ...read, undecodable: { encoding: `${codings.slice(0, MAX_DECODED_CODINGS).join(', ')}, …`, problem: 'too-many', count } };
  }
  const known = await decoders();
  const unknown = codings.find((coding) => !known.has(coding));
  if (unknown !== undefined) {
    const read = await collect(body, limit);
    return { ...read, undecodable: { encoding: unknown, problem: 'unsupported' } };
  }
  const [{ pipeline }, stream] = await Promise.all([import('node:stream/promises'), import('node:stream')]);
  // Listened to before pipeline() listens: an error of the source (an abort, a reset) is not the decoder's.
  let sourceError: unknown;
  body.once('error', (error) => {
    sourceError ??= error;
  });
  let decodeError: { encoding: string; error: Error & { code?: unknown } } | undefined;
  const stages = [...codings].reverse().map((coding) => {
    const stage = known.get(coding)!();
    stage.once('error', (error: Error) => {
      if (error !== sourceError && !(error instanceof CapReached)) decodeError ??= { encoding: coding, error };
    });
    return stage;
  });
  let encodedBytes = 0;
  const chunks: Buffer[] = [];
  let bytesRead = 0;
  let truncated = false;
  const counter = new stream.Transform({
    transform(chunk: Buffer, _encoding, done) {
      encodedBytes += chunk.length;
      if (encodedBytes > limit) {
        truncated = true;
        done(new CapReached());
      } else done(null, chunk);
    },
  });
  const sink = new stream.Writable({
    write(chunk: Buffer, _encoding, done) {
      bytesRead += chunk.length;
      if (bytesRead > limit) {
        chunks.push(chunk.subarray(0, chunk.length - (bytesRead - limit)));
        truncated = true;
        done(new CapReached());
        return;
      }
      chunks.push(chunk);
      done();
    },
  });
  try {
    await pipeline(body, counter, ...stages, sink);
  } catch (error) {
    if (decodeError === undefined && !(error instanceof CapReached)) throw error;
  }
  const read = { body: Buffer.concat(chunks), truncated, bytesRead, encodedBytes };
  // A body cut at the cap ends mid-stream; an empty body (a 401, a 204) has nothing to decode.
  if (decodeError === undefined || truncated || encodedBytes === 0) return read;
  const { encoding, error } = decodeError;
  return { ...read, undecodable: { encoding, problem: 'corrupt', reason: error.message, ...(typeof error.code === 'string' && { code: error.code }) } };
}

/** An idle kept-alive connection holds one of the run's connection slots: it is closed after this long, or when a connection waits for its slot. */
const KEEP_ALIVE_MS = 2_000;

/** Requests share a dispatcher when they trust, present and time out alike. */
function dispatcherKey(material: TlsMaterial, timeoutMs: number): string {
  return `${identityOf(material)} ${timeoutMs}`;
}

/** The connections of one dispatcher to one origin. */
function poolName(material: TlsMaterial, timeoutMs: number, origin: string): string {
  return `${dispatcherKey(material, timeoutMs)} ${origin}`;
}

/** How much sooner than the server golive lets a kept connection go: a request sent as the server closes it is lost. */
const SERVER_IDLE_MARGIN_MS = 1_000;

/** What undici says when a connection closed under a request: then the request may not have reached the server. */
function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

function headerRecord(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [[name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value]])),
  );
}

/** Connections being opened, by origin: what a request that has no connection yet is waiting on. */
class Openings {
  readonly #byOrigin = new Map<string, Set<Progress>>();

  add(origin: string, progress: Progress): void {
    const open = this.#byOrigin.get(origin) ?? new Set();
    open.add(progress);
    this.#byOrigin.set(origin, open);
  }

  delete(origin: string, progress: Progress): void {
    const open = this.#byOrigin.get(origin);
    open?.delete(progress);
    if (open?.size === 0) this.#byOrigin.delete(origin);
  }

  current(origin: string): Progress | undefined {
    return this.#byOrigin.get(origin)?.values().next().value;
  }
}

/**
 * undici's connect step, done by golive: direct TCP or a CONNECT tunnel
 * (HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the run's environment, as the
 * layer probes read them), then TLS, the whole within the timeout. undici's
 * own ProxyAgent waits up to 300 s for a proxy's answer to CONNECT and
 * cannot say which step hung.
 */
function connector(
  material: TlsMaterial,
  timeoutMs: number,
  env: Readonly<Record<string, string | undefined>>,
  openings: Openings,
  closing: AbortSignal,
  connections: Connections,
  poolOf: (origin: string) => Pool,
  parked: (origin: string) => Socket | undefined,
): buildConnector.connector {
  return (options, callback) => {
    const origin = `${options.protocol}//${options.host ?? options.hostname}`;
    // The probe's connection to this origin, when it kept one: no new TCP (or CONNECT) and TLS round trips.
    const kept = parked(origin);
    if (kept) {
      // Never synchronously: undici, still inside its resume loop, would not send the request it connected for.
      queueMicrotask(() => callback(null, kept));
      return;
    }
    const proxy = proxyFor(new URL(origin), env);
    const { hostname } = options;
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    const steps = async (progress: Progress): Promise<Socket> => {
      openings.add(origin, progress);
      // Started again once the connection has its slot: the first request over it shows these phases.
      let clock = new PhaseClock();
      try {
        const socket = await connections.connect(
          `${hostname}:${port}`,
          progress.signal,
          async () => {
            clock = new PhaseClock();
            if (!proxy) return connectTcp(hostname, port, progress, clock);
            const tunnel = await openTunnel(proxy, hostname, port, progress);
            clock.end('proxy');
            return tunnel;
          },
          poolOf(origin),
        );
        if (options.protocol !== 'https:') {
          connectionOpened(socket, clock);
          return socket;
        }
        const { isIP } = await import('node:net');
        const servername = isIP(hostname) ? undefined : hostname;
        const secureContext = await connections.secureContext(material);
        const secure = await startTls(socket, { secureContext, host: hostname, servername, ALPNProtocols: ['http/1.1'] }, progress);
        connections.securedBy(socket, secure);
        clock.end('tls');
        connectionOpened(secure, clock);
        return secure;
      } finally {
        openings.delete(origin, progress);
      }
    };
    connectWithin(timeoutMs, proxy, proxy ? 'proxy' : 'tcp', steps, closing).then(
      (socket) => callback(null, socket.setNoDelay(true)),
      (error: Error) => callback(error, null),
    );
  };
}

/**
 * HTTP for the online checks, over undici (loaded on first use): one
 * keep-alive dispatcher per TLS identity, whose connections hold the run's
 * connection slots (src/net/connections.ts: at most four to a host, the
 * layer probes included); proxies from HTTPS_PROXY/NO_PROXY; bodies decoded
 * from gzip, deflate or br (asked for with Accept-Encoding), with a cap on
 * how much of a body is read, after decoding. Each request, from connecting (through the proxy)
 * to its last body byte, ends within its timeout: a server or proxy that
 * trickles bytes is cut off too, and the failure names the step that hung.
 * A host is probed once per identity in a run, and a `shared` request (the
 * JWKS) is made once: every config of the run gets the same answer.
 */
export function openHttpSession(
  env: Readonly<Record<string, string | undefined>>,
  connections = new Connections(),
  runStartedAt = performance.now(),
): HttpSession {
  const dispatchers = new Map<string, Promise<Dispatcher>>();
  const probes = new Map<string, Promise<ProbeResult>>();
  const shared = new Map<string, Promise<HttpResponse>>();
  const lookups = new Map<unknown, number>();
  // Requests under way (sent, or waiting for a connection) by dispatcher and origin: none, and that pool's connections are idle.
  const busy = new Map<string, number>();
  const openings = new Openings();
  const closing = new AbortController();
  // Every request and connection being opened listens for the session closing: more than ten is normal.
  setMaxListeners(0, closing.signal);
  const parking = new Parking((raw) => connections.close(raw));
  closing.signal.addEventListener('abort', () => parking.destroyAll(), { once: true });
  // Probe connections a request took that closed since, by pool: a request that lost its connection on one is sent again.
  const lostKept = new Map<string, number>();
  const poolOf = (name: string): Pool => ({ name, idle: () => !busy.has(name) });

  /** Hands undici the connection the probe of this origin kept, if any. */
  const takeParked = (name: string): Socket | undefined => {
    const socket = parking.take(name);
    socket?.once('close', () => lostKept.set(name, (lostKept.get(name) ?? 0) + 1));
    return socket;
  };

  const dispatcherFor = (material: TlsMaterial, timeoutMs: number): Promise<Dispatcher> => {
    const key = dispatcherKey(material, timeoutMs);
    let dispatcher = dispatchers.get(key);
    if (!dispatcher) {
      dispatcher = loadUndici().then(
        ({ Agent }) =>
          new Agent({
            connections: MAX_CONNECTIONS_PER_HOST,
            connect: connector(
              material,
              timeoutMs,
              env,
              openings,
              closing.signal,
              connections,
              (origin) => poolOf(`${key} ${origin}`),
              (origin) => takeParked(`${key} ${origin}`),
            ),
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
            keepAliveTimeout: KEEP_ALIVE_MS,
            keepAliveMaxTimeout: KEEP_ALIVE_MS,
          }),
      );
      dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  };

  const send = async (request: HttpRequest): Promise<HttpResponse> => {
    const pool = poolName(request.material, request.timeoutMs, new URL(request.url).origin);
    busy.set(pool, (busy.get(pool) ?? 0) + 1);
    try {
      return await exchangeWithin(request, pool);
    } finally {
      const left = busy.get(pool)! - 1;
      if (left === 0) busy.delete(pool);
      else busy.set(pool, left);
      connections.reclaimIdle();
    }
  };

  const exchangeWithin = async (request: HttpRequest, pool: string): Promise<HttpResponse> => {
    const started = performance.now();
    const since = (): number => Math.round((performance.now() - started) * 10) / 10;
    const { timeoutMs } = request;
    const url = new URL(request.url);
    const proxy = proxyFor(url, env);
    const method = request.method ?? 'GET';
    let headersMs: number | undefined;
    // The attempt under way (a request sent again on a new connection is followed anew).
    let attempt: Exchange | undefined;
    const timeline = (): HttpResponse['timeline'] | undefined =>
      attempt?.clock?.entry('request', exchangeLabel(method, url), runStartedAt, attempt.reused);
    const timedOut = (): StepTimeout => {
      if (headersMs !== undefined) return new StepTimeout('body', timeoutMs, proxy);
      const connecting = openings.current(url.origin);
      return connecting
        ? new StepTimeout(connecting.step, timeoutMs, proxy, connecting.proxyAccepted)
        : new StepTimeout('http', timeoutMs, proxy);
    };
    const send = async (signal: AbortSignal): Promise<HttpResponse> => {
      const { request: undiciRequest } = await loadUndici();
      await connections.quiet(pool);
      const dispatcher = await dispatcherFor(request.material, timeoutMs);
      const asked = Object.keys(request.headers ?? {}).some((name) => name.toLowerCase() === 'accept-encoding');
      const followed = followExchange(method, url, () =>
        undiciRequest(request.url, {
          dispatcher,
          method: method as Dispatcher.HttpMethod,
          headers: { ...(!asked && { 'accept-encoding': ACCEPT_ENCODING }), ...request.headers },
          body: request.body,
          signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        }),
      );
      attempt = followed.exchange;
      try {
        const response = await followed.dispatched;
        headersMs = since();
        const headers = headerRecord(response.headers);
        const read = await readBody(response.body, headers['content-encoding'], request.maxBytes ?? Number.POSITIVE_INFINITY);
        attempt.clock?.end('body');
        const answer: HttpResponse = { url: request.url, status: response.statusCode, headers, ...read, timings: { headersMs, totalMs: since() } };
        const entry = timeline();
        return entry ? { ...answer, timeline: entry } : answer;
      } finally {
        dropExchange(followed.exchange);
      }
    };
    // A kept probe connection the server (or a proxy) closed just as the request went out: sent once more, on a
    // new connection, as browsers do. The request got no answer, so the server most likely never saw it.
    const exchange = async (signal: AbortSignal): Promise<HttpResponse> => {
      const lostBefore = lostKept.get(pool) ?? 0;
      try {
        return await send(signal);
      } catch (error) {
        if (headersMs !== undefined || signal.aborted || !connectionLost(error) || (lostKept.get(pool) ?? 0) === lostBefore) throw error;
        return send(signal);
      }
    };
    try {
      return await withDeadline(timeoutMs, exchange, timedOut, { cancel: closing.signal });
    } catch (error) {
      if (isLoadingFailure(error)) throw error;
      throw new HttpFailure(classifyNetworkError(error), since(), timeline());
    }
  };

  /** Tests inject a resolver per run: a probe made with one is not the answer for another. */
  const lookupId = (lookup: unknown): number => {
    if (!lookups.has(lookup)) lookups.set(lookup, lookups.size);
    return lookups.get(lookup)!;
  };

  return {
    request(request) {
      if (!request.shared) return send(request);
      const { material, ...rest } = request;
      const key = JSON.stringify([identityOf(material), rest]);
      let answer = shared.get(key);
      if (!answer) {
        answer = send(request);
        shared.set(key, answer);
      }
      return answer;
    },
    probe(target, options: ProbeOptions) {
      const proxy = proxyFor(new URL(target), env);
      const key = JSON.stringify([target, identityOf(options.material), options.timeoutMs, proxy ?? null, lookupId(options.lookup)]);
      let probe = probes.get(key);
      if (!probe) {
        // A probe that resolved the host itself (a test's resolver) may have reached what the requests would not.
        const name = poolName(options.material, options.timeoutMs, new URL(target).origin);
        const keep: KeepConnection | undefined =
          options.lookup === undefined
            ? (socket, raw, serverIdleMs) => {
                const idleMs = Math.min(KEEP_ALIVE_MS, (serverIdleMs ?? Number.POSITIVE_INFINITY) - SERVER_IDLE_MARGIN_MS);
                if (closing.signal.aborted || idleMs <= 0) return false;
                connections.assign(raw, poolOf(name));
                parking.park(name, socket, raw, idleMs);
                return true;
              }
            : undefined;
        probe = probeEndpoint(target, { ...options, proxy, connections, runStartedAt, ...(keep && { keep }) });
        probes.set(key, probe);
      }
      return probe;
    },
    async close() {
      // Connections still being opened are dropped too: nothing outlives the session.
      closing.abort();
      const all = await Promise.allSettled([...dispatchers.values()]);
      dispatchers.clear();
      await Promise.all(all.flatMap((entry) => (entry.status === 'fulfilled' ? [entry.value.destroy().catch(() => undefined)] : [])));
    },
  };
}
