import type { Socket } from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { Redactor } from '../redact.js';
import { describeChallenges, parseChallenges } from './answer.js';
import type { PhaseClock } from './timeline.js';

/**
 * Opening a connection one step at a time (TCP, or a proxy tunnel, then
 * TLS), each step abortable and each failure naming its step and proxy:
 * shared by the layer probes and the HTTP session, so both bound and
 * describe a hang alike. Node's networking modules load on first use.
 */

/** The steps of an HTTPS exchange, in order; `body` is reading a response after its headers. */
export type NetworkStep = 'dns' | 'tcp' | 'proxy' | 'tls' | 'http' | 'body';

/** How far a connection got, updated as it goes; `signal` aborts it. */
export interface Progress {
  step: NetworkStep;
  /** Through a proxy: whether it accepted the TCP connection (then the CONNECT is what it left unanswered). */
  proxyAccepted: boolean;
  readonly signal: AbortSignal;
}

/** The proxy as `host:port`, for sentences (never its credentials). */
export function proxyAddress(proxy: string): string {
  try {
    return new URL(proxy).host;
  } catch {
    return '(unparsable proxy URL)';
  }
}

function timeoutReason(step: NetworkStep, ms: number, proxy: string | undefined, proxyAccepted: boolean): string {
  const at = proxy === undefined ? undefined : `the proxy at ${proxyAddress(proxy)}`;
  const through = at === undefined ? '' : `, through ${at}`;
  switch (step) {
    case 'dns':
      return `the DNS lookup did not finish within ${ms} ms`;
    case 'tcp':
      return `nothing accepted the TCP connection within ${ms} ms: a firewall dropping packets, or the host is down`;
    case 'proxy':
      return proxyAccepted
        ? `${at} accepted the connection but did not answer the CONNECT within ${ms} ms`
        : `${at} did not accept the TCP connection within ${ms} ms`;
    case 'tls':
      return at === undefined
        ? `the server accepted the connection but did not complete the TLS handshake within ${ms} ms`
        : `${at} answered the CONNECT, but the TLS handshake through its tunnel did not complete within ${ms} ms`;
    case 'http':
      return `the server did not answer the request within ${ms} ms${through}`;
    case 'body':
      return `the server sent the response headers but not the whole body within ${ms} ms${through}`;
  }
}

/** A network step that did not finish within its timeout; the message names the step and the proxy. */
export class StepTimeout extends Error {
  readonly code = 'GOLIVE_TIMEOUT';
  /** The proxy without credentials (`http://host:port`), when one was in the path. */
  readonly proxy: string | undefined;

  constructor(
    readonly step: NetworkStep,
    readonly timeoutMs: number,
    proxy?: string,
    proxyAccepted = false,
  ) {
    super(timeoutReason(step, timeoutMs, proxy, proxyAccepted));
    this.name = 'StepTimeout';
    this.proxy = proxy === undefined ? undefined : withoutCredentials(proxy);
  }
}

/** The proxy refused, dropped or could not be reached for a tunnel; `cause` holds the socket error, if any. */
export class ProxyFailure extends Error {
  readonly proxy: string;

  constructor(
    message: string,
    readonly code: string,
    proxy: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ProxyFailure';
    this.proxy = withoutCredentials(proxy);
  }
}

function withoutCredentials(proxy: string): string {
  try {
    const url = new URL(proxy);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '(unparsable proxy URL)';
  }
}

/**
 * Runs `work` with a deadline. When it passes, `work`'s signal aborts (so it
 * can drop its sockets) and the promise rejects at once with `onTimeout()`,
 * whatever `work` is waiting for; a value that arrives later goes to
 * `discard`. `cancel` (a session closing) aborts the same way.
 */
export function withDeadline<T>(
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  onTimeout: () => Error,
  options: { discard?: (late: T) => void; cancel?: AbortSignal } = {},
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const stop = (reason: Error): void => {
      if (controller.signal.aborted) return;
      controller.abort(reason);
      reject(reason);
    };
    const timer = setTimeout(() => stop(onTimeout()), timeoutMs);
    const onCancel = (): void => stop(new Error('the HTTP session was closed'));
    if (options.cancel?.aborted) onCancel();
    else options.cancel?.addEventListener('abort', onCancel, { once: true });
    const settle = (): void => {
      clearTimeout(timer);
      options.cancel?.removeEventListener('abort', onCancel);
    };
    work(controller.signal).then(
      (value) => {
        settle();
        if (controller.signal.aborted) options.discard?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(controller.signal.aborted ? controller.signal.reason : error);
      },
    );
  });
}

/** Opens one connection step by step within `timeoutMs`; a timeout names the step reached and the proxy. */
export function connectWithin<T extends Socket>(
  timeoutMs: number,
  proxy: string | undefined,
  firstStep: NetworkStep,
  steps: (progress: Progress) => Promise<T>,
  cancel?: AbortSignal,
): Promise<T> {
  let progress: Progress | undefined;
  return withDeadline(
    timeoutMs,
    (signal) => {
      progress = { step: firstStep, proxyAccepted: false, signal };
      return steps(progress);
    },
    () => new StepTimeout(progress?.step ?? firstStep, timeoutMs, proxy, progress?.proxyAccepted),
    { discard: (socket) => socket.destroy(), ...(cancel && { cancel }) },
  );
}

/** Rejects with the abort reason and runs `onAbort` when `signal` aborts; returns the detach function. */
function onAborted(signal: AbortSignal, reject: (reason: unknown) => void, onAbort: () => void): () => void {
  const listener = (): void => {
    onAbort();
    reject(signal.reason);
  };
  if (signal.aborted) listener();
  else signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/** A TCP connection; with a host name, the step is `dns` until it resolves. `clock` gets the `dns` and `connect` phases. */
export async function connectTcp(host: string, port: number, progress: Progress, clock?: PhaseClock): Promise<Socket> {
  const net = await import('node:net');
  if (net.isIP(host) === 0) progress.step = 'dns';
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const detach = onAborted(progress.signal, reject, () => socket.destroy());
    socket.once('lookup', () => {
      progress.step = 'tcp';
      clock?.end('dns');
    });
    socket.once('connect', () => {
      clock?.end('connect');
      detach();
      resolve(socket);
    });
    socket.once('error', (error) => {
      detach();
      socket.destroy();
      reject(error);
    });
  });
}

function authority(host: string, port: number, isIPv6: (input: string) => boolean): string {
  return `${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/**
 * A CONNECT tunnel through an HTTP(S) proxy to host:port. The step stays
 * `proxy` throughout; `progress.proxyAccepted` tells a proxy that never
 * accepted the connection from one that accepted and never answered.
 */
export async function openTunnel(proxy: string, host: string, port: number, progress: Progress): Promise<Socket> {
  const [http, https, net] = await Promise.all([import('node:http'), import('node:https'), import('node:net')]);
  const proxyUrl = new URL(proxy);
  const secure = proxyUrl.protocol === 'https:';
  const at = `the proxy at ${proxyAddress(proxy)}`;
  const target = authority(host, port, net.isIPv6);
  const headers: Record<string, string> = { host: target };
  // What the proxy says (status text, challenges) with the credentials sent taken out: a proxy may echo them.
  const ownWords = new Redactor();
  if (proxyUrl.username) {
    const credentials = `${percentDecoded(proxyUrl.username)}:${percentDecoded(proxyUrl.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
    for (const secret of [credentials, proxyUrl.password, percentDecoded(proxyUrl.password)]) ownWords.add(secret);
  }
  progress.step = 'proxy';
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request({
      host: proxyUrl.hostname.replace(/^\[|\]$/g, ''),
      port: Number(proxyUrl.port || (secure ? 443 : 80)),
      method: 'CONNECT',
      path: target,
      headers,
      // Its own socket, never a pooled one: the tunnel becomes the connection.
      agent: false,
    });
    const detach = onAborted(progress.signal, reject, () => request.destroy());
    request.once('socket', (socket: Socket) => {
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        progress.proxyAccepted = true;
      });
    });
    request.once('connect', (response, socket: Socket, head: Buffer) => {
      detach();
      if (response.statusCode === 200) {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
        return;
      }
      socket.destroy();
      const status = `${response.statusCode}${response.statusMessage ? ` ${ownWords.text(response.statusMessage)}` : ''}`;
      if (response.statusCode === 407) {
        const challenges = response.headers['proxy-authenticate'];
        const challenge = challenges === undefined ? undefined : ownWords.text(Array.isArray(challenges) ? challenges.join(', ') : challenges);
        reject(proxyAuthenticationFailure(at, status, target, challenge, proxyUrl.username !== '', proxy));
        return;
      }
      reject(new ProxyFailure(`${at} refused the tunnel: it answered ${status} to CONNECT ${target}`, 'GOLIVE_PROXY', proxy));
    });
    request.once('error', (error) => {
      detach();
      request.destroy();
      reject(
        // Node's HTTP parser fails with HPE_*: the proxy answered, with something it could not read.
        codeOf(error).startsWith('HPE_')
          ? new ProxyFailure(`${at} answered the CONNECT to ${target} with something golive could not read`, codeOf(error), proxy, error)
          : progress.proxyAccepted
            ? new ProxyFailure(`${at} dropped the connection before answering the CONNECT to ${target}`, codeOf(error), proxy, error)
            : new ProxyFailure(`${at} could not be reached`, codeOf(error), proxy, error),
      );
    });
    request.end();
  });
}

/**
 * The user or password of a proxy URL, percent-decoded as curl does: a `%`
 * that starts no valid escape (a password `50%off` written as it is) stays
 * as written, rather than failing the connection.
 */
function percentDecoded(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      // Escapes that are not UTF-8 stay as written too.
      return run;
    }
  });
}

/** A proxy that wants credentials (407): its Proxy-Authenticate challenge named, and whether the proxy URL gave any. */
function proxyAuthenticationFailure(at: string, status: string, target: string, header: string | undefined, sent: boolean, proxy: string): ProxyFailure {
  const challenges = parseChallenges(header);
  const challenge = challenges.length === 0 ? ' without a Proxy-Authenticate challenge' : ` with Proxy-Authenticate: ${describeChallenges(challenges)}`;
  const reason = sent
    ? `${at} refused the credentials in the proxy URL: it answered ${status} to CONNECT ${target}${challenge}`
    : `${at} wants credentials, and the proxy URL has none: it answered ${status} to CONNECT ${target}${challenge}`;
  return new ProxyFailure(reason, PROXY_AUTHENTICATION_CODE, proxy);
}

/** The code of a proxy's 407 to CONNECT. */
export const PROXY_AUTHENTICATION_CODE = 'GOLIVE_PROXY_AUTH';

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

/** A TLS handshake over an open socket (direct or a tunnel); the step is `tls`. */
export async function startTls(socket: Socket, options: ConnectionOptions, progress: Progress): Promise<TLSSocket> {
  const tls = await import('node:tls');
  progress.step = 'tls';
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ ...options, socket });
    const detach = onAborted(progress.signal, reject, () => {
      secure.destroy();
      socket.destroy();
    });
    secure.once('secureConnect', () => {
      detach();
      resolve(secure);
    });
    secure.once('error', (error) => {
      detach();
      secure.destroy();
      reject(error);
    });
  });
}
