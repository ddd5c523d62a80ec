import type { Undecodable } from './answer.js';
import type { NetworkFailure } from './classify.js';
import type { DnsLookup, ProbeResult, TlsMaterial } from './probe.js';
import type { TimelineEntry } from './timeline.js';

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Stop reading the body past this many bytes, counted after decoding its Content-Encoding. */
  maxBytes?: number;
  timeoutMs: number;
  material: TlsMaterial;
  /**
   * Made once per run: every config that asks for the same URL with the same
   * identity gets the first answer (the organisation's JWKS). Only for a GET
   * whose answer does not depend on when it is asked.
   */
  shared?: boolean;
}

/** A layer probe of a host (src/net/probe.ts); the session picks the proxy from its environment. */
export interface ProbeOptions {
  timeoutMs: number;
  material: TlsMaterial;
  lookup?: DnsLookup;
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  /** Decoded from its Content-Encoding (unless `undecodable`). */
  body: Buffer;
  /** The body went past maxBytes: `body` holds the first maxBytes only. */
  truncated: boolean;
  /** Bytes of the body, decoded. */
  bytesRead: number;
  /** Bytes received for the body when it came encoded (gzip, deflate, br). */
  encodedBytes?: number;
  /** The Content-Encoding is not one golive decodes (or a longer chain than it undoes), or the body is not valid in it: `body` holds what was read as received. */
  undecodable?: Undecodable;
  timings: { headersMs: number; totalMs: number };
  /** Its phases on the run's time axis (src/net/timeline.ts); absent only when undici never wrote the request. */
  timeline?: TimelineEntry;
}

/** The content codings golive asks for (Accept-Encoding) and decodes. */
export const DECODED_CODINGS = ['gzip', 'deflate', 'br'] as const;

/** Content codings golive undoes one after another; servers apply one, and a longer chain is not decoded. */
export const MAX_DECODED_CODINGS = 4;

/** What golive sends as Accept-Encoding. */
export const ACCEPT_ENCODING = DECODED_CODINGS.join(', ');

/** The `timeline` of a check's evidence: the one request it made, when undici wrote it. */
export function timelineEvidence(made: { timeline?: TimelineEntry }): { timeline?: TimelineEntry[] } {
  return made.timeline ? { timeline: [made.timeline] } : {};
}

/** A request that got no HTTP response: the layer it failed at, and when. */
export class HttpFailure extends Error {
  constructor(
    readonly failure: NetworkFailure,
    readonly elapsedMs: number,
    /** The phases it got through, when the request was written. */
    readonly timeline?: TimelineEntry,
  ) {
    super(failure.reason);
    this.name = 'HttpFailure';
  }
}

export interface HttpSession {
  request(request: HttpRequest): Promise<HttpResponse>;
  /** DNS, TCP (or proxy), TLS and HTTP to `target`, one layer at a time; once per host and identity in a run. */
  probe(target: string, options: ProbeOptions): Promise<ProbeResult>;
  close(): Promise<void>;
}

/**
 * The HTTP session of a run (src/net/session.ts makes the requests). That
 * code, with undici and the connection steps, loads at the first request:
 * a run that makes none (--offline) never loads it. `runStartedAt`
 * (performance.now() when the run started) is the origin of the timelines.
 */
export function createHttpSession(env: Readonly<Record<string, string | undefined>>, runStartedAt = performance.now()): HttpSession {
  let closed = false;
  let session: Promise<HttpSession> | undefined;
  const opened = (): Promise<HttpSession> =>
    (session ??= import('./session.js').then(async ({ openHttpSession }) => {
      const opening = openHttpSession(env, undefined, runStartedAt);
      // A request after close() fails as it does in a session closed before it.
      if (closed) await opening.close();
      return opening;
    }));
  return {
    async request(request) {
      return (await opened()).request(request);
    },
    async probe(target, options) {
      return (await opened()).probe(target, options);
    },
    async close() {
      closed = true;
      if (session) await (await session).close();
    },
  };
}
