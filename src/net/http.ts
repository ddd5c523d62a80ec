import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Socket } from 'node:net';
import type { buildConnector, Dispatcher } from 'undici';
import { classifyNetworkError, type NetworkFailure } from './classify.js';
import { connectTcp, connectWithin, openTunnel, startTls, StepTimeout, withDeadline, type Progress } from './connect.js';
import { trustAnchors, type TlsMaterial } from './probe.js';
import { proxyFor } from './proxy.js';

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Stop reading the body past this many bytes. */
  maxBytes?: number;
  timeoutMs: number;
  material: TlsMaterial;
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The body went past maxBytes: `body` holds the first maxBytes only. */
  truncated: boolean;
  bytesRead: number;
  timings: { headersMs: number; totalMs: number };
}

/** A request that got no HTTP response: the layer it failed at, and when. */
export class HttpFailure extends Error {
  constructor(
    readonly failure: NetworkFailure,
    readonly elapsedMs: number,
  ) {
    super(failure.reason);
    this.name = 'HttpFailure';
  }
}

export interface HttpSession {
  request(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

/** Connections per host: the platform allows 20 per client IP, so stay far below. */
export const MAX_CONNECTIONS_PER_HOST = 4;

/** Requests share a dispatcher when they trust, present and time out alike. */
function dispatcherKey(material: TlsMaterial, timeoutMs: number): string {
  return createHash('sha256')
    .update(JSON.stringify([material.extraCa ?? [], material.clientCertificate?.cert ?? '', timeoutMs]))
    .digest('hex');
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
  tls: { ca?: string[]; cert?: string; key?: string },
  timeoutMs: number,
  env: Readonly<Record<string, string | undefined>>,
  openings: Openings,
  closing: AbortSignal,
): buildConnector.connector {
  return (options, callback) => {
    const origin = `${options.protocol}//${options.host ?? options.hostname}`;
    const proxy = proxyFor(new URL(origin), env);
    const { hostname } = options;
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    const steps = async (progress: Progress): Promise<Socket> => {
      openings.add(origin, progress);
      try {
        const socket = proxy ? await openTunnel(proxy, hostname, port, progress) : await connectTcp(hostname, port, progress);
        if (options.protocol !== 'https:') return socket;
        const { isIP } = await import('node:net');
        const servername = isIP(hostname) ? undefined : hostname;
        return await startTls(socket, { ...tls, host: hostname, servername, ALPNProtocols: ['http/1.1'] }, progress);
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
 * keep-alive dispatcher per TLS identity, so each host gets one pool of at
 * most four connections; proxies from HTTPS_PROXY/NO_PROXY; a cap on how
 * much of a body is read. Each request, from connecting (through the proxy)
 * to its last body byte, ends within its timeout: a server or proxy that
 * trickles bytes is cut off too, and the failure names the step that hung.
 */
export function createHttpSession(env: Readonly<Record<string, string | undefined>>): HttpSession {
  const dispatchers = new Map<string, Promise<Dispatcher>>();
  const openings = new Openings();
  const closing = new AbortController();
  // Every request and connection being opened listens for the session closing: more than ten is normal.
  setMaxListeners(0, closing.signal);

  const dispatcherFor = (material: TlsMaterial, timeoutMs: number): Promise<Dispatcher> => {
    const key = dispatcherKey(material, timeoutMs);
    let dispatcher = dispatchers.get(key);
    if (!dispatcher) {
      dispatcher = Promise.all([import('undici'), trustAnchors(material)]).then(([{ Agent }, ca]) => {
        const tls = { ca, cert: material.clientCertificate?.cert, key: material.clientCertificate?.key };
        return new Agent({
          connections: MAX_CONNECTIONS_PER_HOST,
          connect: connector(tls, timeoutMs, env, openings, closing.signal),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      });
      dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  };

  return {
    async request(request) {
      const started = performance.now();
      const since = (): number => Math.round((performance.now() - started) * 10) / 10;
      const { timeoutMs } = request;
      const url = new URL(request.url);
      const proxy = proxyFor(url, env);
      let headersMs: number | undefined;
      const timedOut = (): StepTimeout => {
        if (headersMs !== undefined) return new StepTimeout('body', timeoutMs, proxy);
        const connecting = openings.current(url.origin);
        return connecting
          ? new StepTimeout(connecting.step, timeoutMs, proxy, connecting.proxyAccepted)
          : new StepTimeout('http', timeoutMs, proxy);
      };
      const exchange = async (signal: AbortSignal): Promise<HttpResponse> => {
        const { request: send } = await import('undici');
        const dispatcher = await dispatcherFor(request.material, timeoutMs);
        const response = await send(request.url, {
          dispatcher,
          method: (request.method ?? 'GET') as Dispatcher.HttpMethod,
          headers: request.headers,
          body: request.body,
          signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        headersMs = since();
        const chunks: Buffer[] = [];
        let bytesRead = 0;
        let truncated = false;
        const limit = request.maxBytes ?? Number.POSITIVE_INFINITY;
        for await (const chunk of response.body) {
          const buffer = chunk as Buffer;
          bytesRead += buffer.length;
          if (bytesRead > limit) {
            chunks.push(buffer.subarray(0, buffer.length - (bytesRead - limit)));
            truncated = true;
            response.body.destroy();
            break;
          }
          chunks.push(buffer);
        }
        return {
          url: request.url,
          status: response.statusCode,
          headers: headerRecord(response.headers),
          body: Buffer.concat(chunks),
          truncated,
          bytesRead,
          timings: { headersMs, totalMs: since() },
        };
      };
      try {
        return await withDeadline(timeoutMs, exchange, timedOut, { cancel: closing.signal });
      } catch (error) {
        throw new HttpFailure(classifyNetworkError(error), since());
      }
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
