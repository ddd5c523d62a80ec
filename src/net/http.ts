import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { classifyNetworkError, type NetworkFailure } from './classify.js';
import { trustAnchors, type TlsMaterial } from './probe.js';

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

/**
 * HTTP for the online checks, over undici (loaded on first use): one
 * keep-alive dispatcher per TLS identity, so each host gets one pool of at
 * most four connections; proxies from HTTPS_PROXY/NO_PROXY; a timeout per
 * step and a cap on how much of a body is read.
 */
export function createHttpSession(env: Readonly<Record<string, string | undefined>>): HttpSession {
  const dispatchers = new Map<string, Promise<Dispatcher>>();
  const pick = (name: string): string | undefined => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;

  const dispatcherFor = (material: TlsMaterial, timeoutMs: number): Promise<Dispatcher> => {
    const key = dispatcherKey(material, timeoutMs);
    let dispatcher = dispatchers.get(key);
    if (!dispatcher) {
      dispatcher = Promise.all([import('undici'), trustAnchors(material)]).then(([{ Agent, EnvHttpProxyAgent }, ca]) => {
        const tls = {
          ca,
          cert: material.clientCertificate?.cert,
          key: material.clientCertificate?.key,
          timeout: timeoutMs,
        };
        const common = { connections: MAX_CONNECTIONS_PER_HOST, connect: tls, headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
        const httpProxy = pick('http_proxy');
        const httpsProxy = pick('https_proxy');
        if (!httpProxy && !httpsProxy) return new Agent(common);
        return new EnvHttpProxyAgent({ ...common, httpProxy, httpsProxy, noProxy: pick('no_proxy'), requestTls: tls });
      });
      dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  };

  return {
    async request(request) {
      const started = performance.now();
      const since = (): number => Math.round((performance.now() - started) * 10) / 10;
      const { request: send } = await import('undici');
      const dispatcher = await dispatcherFor(request.material, request.timeoutMs);
      const signal = AbortSignal.timeout(request.timeoutMs);
      let response: Dispatcher.ResponseData;
      try {
        response = await send(request.url, {
          dispatcher,
          method: (request.method ?? 'GET') as Dispatcher.HttpMethod,
          headers: request.headers,
          body: request.body,
          signal,
          headersTimeout: request.timeoutMs,
          bodyTimeout: request.timeoutMs,
        });
      } catch (error) {
        throw new HttpFailure(classifyNetworkError(signal.aborted ? Object.assign(new Error('timeout'), { code: 'GOLIVE_TIMEOUT' }) : error), since());
      }
      const headersMs = since();
      const chunks: Buffer[] = [];
      let bytesRead = 0;
      let truncated = false;
      const limit = request.maxBytes ?? Number.POSITIVE_INFINITY;
      try {
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
      } catch (error) {
        throw new HttpFailure(classifyNetworkError(signal.aborted ? Object.assign(new Error('timeout'), { code: 'GOLIVE_TIMEOUT' }) : error), since());
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
    },
    async close() {
      const all = await Promise.allSettled([...dispatchers.values()]);
      dispatchers.clear();
      await Promise.all(all.flatMap((entry) => (entry.status === 'fulfilled' ? [entry.value.destroy().catch(() => undefined)] : [])));
    },
  };
}
