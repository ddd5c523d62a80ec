import type { Socket } from 'node:net';
import type { ConnectionOptions, PeerCertificate, TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { classifyNetworkError, isLoadingFailure, type NetworkFailure } from './classify.js';
import { connectTcp, connectWithin, openTunnel, startTls, StepTimeout, withDeadline, type Progress } from './connect.js';
import type { Connections } from './connections.js';
import { describeProxy } from './proxy.js';
import { exchangeLabel, PhaseClock, type TimelineEntry } from './timeline.js';

/** The TLS material a connection presents and trusts. */
export interface TlsMaterial {
  /** Extra trust anchors (PEM), added to Node's bundled roots. */
  extraCa?: string[];
  /** The client certificate chain (PEM) and key for mTLS. */
  clientCertificate?: { cert: string; key: string };
}

export interface ServerCertificate {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  validFrom: string;
  validTo: string;
  fingerprintSha256: string;
  serialNumber: string;
}

export interface ProbeResult {
  url: string;
  host: string;
  port: number;
  servername?: string;
  proxy?: string;
  timings: { dnsMs?: number; tcpMs?: number; tlsMs?: number; httpMs?: number };
  /** Its phases on the run's time axis: dns, connect (or proxy), tls, sent and wait, as far as it got. */
  timeline: TimelineEntry;
  addresses?: string[];
  tls?: {
    protocol: string | null;
    cipher: string;
    alpn?: string | false | null;
    serverCertificate?: ServerCertificate;
    /** Whether the server sent a CertificateRequest: an mTLS host does, a TLS host (or a TLS-terminating proxy) does not. */
    clientCertificateRequested: boolean;
  };
  /** The status and Date of a HEAD request over the connection, proving the server accepted it. */
  http?: { status: number; date?: string; server?: string };
  failure?: NetworkFailure & { step: 'dns' | 'tcp' | 'proxy' | 'tls' | 'http' };
  /** The certificate an untrusted server presented (from an inspection handshake that sends nothing). */
  untrustedCertificate?: ServerCertificate;
}

/** Resolves a host name to its addresses; injectable so tests never query a real resolver. */
export type DnsLookup = (host: string) => Promise<{ address: string }[]>;

const defaultLookup: DnsLookup = async (host) => (await import('node:dns/promises')).lookup(host, { all: true });

export async function trustAnchors(material: TlsMaterial): Promise<string[] | undefined> {
  if (!material.extraCa || material.extraCa.length === 0) return undefined;
  // Setting `ca` replaces Node's roots, so extra anchors are added to them.
  const { rootCertificates } = await import('node:tls');
  return [...rootCertificates, ...material.extraCa];
}

/** The server's certificate, as the report names it: from the socket (its X509Certificate) or a verify error's `cert`. */
function describePeer(peer: PeerCertificate | X509Certificate | undefined): ServerCertificate | undefined {
  if (!peer) return undefined;
  if (!(peer instanceof X509Certificate) && !peer.raw) return undefined;
  const cert = peer instanceof X509Certificate ? peer : new X509Certificate(peer.raw);
  return {
    subject: cert.subject.split('\n').join(', '),
    issuer: cert.issuer.split('\n').join(', '),
    subjectAltNames: (cert.subjectAltName ?? '').split(', ').filter(Boolean),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    fingerprintSha256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
  };
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}

async function tlsOptions(
  host: string,
  servername: string | undefined,
  material: TlsMaterial,
  verify: boolean,
  connections: Connections | undefined,
): Promise<ConnectionOptions> {
  // Over an existing socket, `host` is what the certificate is checked against.
  const common = { host, servername, ALPNProtocols: ['http/1.1'], rejectUnauthorized: verify };
  // The run's context for this identity, built once; alone (tests, the inspection handshake), its own.
  if (connections) return { ...common, secureContext: await connections.secureContext(material) };
  return { ...common, ca: await trustAnchors(material), cert: material.clientCertificate?.cert, key: material.clientCertificate?.key };
}

/** A TCP connection or a proxy tunnel to host:port, in one of the run's connection slots when there is a run. */
function openConnection(
  connections: Connections | undefined,
  proxy: string | undefined,
  target: { host: string; address: string; port: number },
  progress: Progress,
): Promise<Socket> {
  const open = (): Promise<Socket> =>
    proxy ? openTunnel(proxy, target.host, target.port, progress) : connectTcp(target.address, target.port, progress);
  return connections ? connections.connect(`${target.host}:${target.port}`, progress.signal, open) : open();
}

/** How a HEAD answer left the connection: whether the request after the probe may go over it, and for how long the server keeps it. */
interface Reuse {
  reusable: boolean;
  /** From `Keep-Alive: timeout=N`: how long the server keeps an idle connection open. */
  serverIdleMs?: number;
}

/**
 * Sends a HEAD request and reads the status line and headers of its answer;
 * a TLS 1.3 client-certificate alert surfaces here. With `keepAlive` the
 * connection is asked to stay open, and the answer says whether it did: an
 * HTTP/1.1 answer, complete, with nothing after it and no `Connection: close`.
 * Nothing it listened with stays on the socket.
 */
function headRequest(
  socket: TLSSocket,
  url: URL,
  signal: AbortSignal,
  keepAlive: boolean,
  clock: PhaseClock,
): Promise<{ status: number; date?: string; server?: string; reuse: Reuse }> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('latin1');
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1 && buffer.length < 65_536) return;
      clock.end('wait');
      detach();
      const [statusLine = '', ...lines] = buffer.slice(0, end === -1 ? undefined : end).split('\r\n');
      const parsed = /^HTTP\/(\d(?:\.\d)?) (\d{3})/.exec(statusLine);
      const status = Number(parsed?.[2]);
      if (!status) {
        reject(Object.assign(new Error('the server did not answer with HTTP'), { code: 'GOLIVE_NOT_HTTP' }));
        return;
      }
      const header = (name: string): string | undefined =>
        lines.find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
      const timeout = Number(/(?:^|[\s,])timeout=(\d+)/i.exec(header('keep-alive') ?? '')?.[1]);
      const reuse: Reuse = {
        reusable:
          keepAlive &&
          parsed?.[1] === '1.1' &&
          status >= 200 &&
          end !== -1 &&
          end + 4 === buffer.length &&
          !/(?:^|,)\s*close\s*(?:,|$)/i.test(header('connection') ?? ''),
        ...(Number.isFinite(timeout) && { serverIdleMs: timeout * 1000 }),
      };
      resolve({ status, date: header('date'), server: header('server'), reuse });
    };
    const onEnd = (): void => {
      detach();
      reject(Object.assign(new Error('the server closed the connection without answering'), { code: 'ECONNRESET' }));
    };
    const onError = (error: Error): void => {
      detach();
      reject(error);
    };
    // The deadline covers the whole answer: a server trickling its headers is cut off too.
    const onAbort = (): void => {
      socket.destroy();
    };
    const detach = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('end', onEnd);
    const connection = keepAlive ? 'keep-alive' : 'close';
    socket.write(`HEAD ${url.pathname || '/'} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: golive\r\nConnection: ${connection}\r\n\r\n`);
    clock.end('sent');
  });
}

/**
 * Takes the probe's connection for the request that follows it (the HTTP
 * session's): true when it did, and then the probe leaves it open.
 * `serverIdleMs` is how long the server said it keeps an idle connection.
 */
export type KeepConnection = (socket: TLSSocket, raw: Socket, serverIdleMs: number | undefined) => boolean;

/**
 * Connects to an https URL one layer at a time (DNS, TCP or proxy tunnel,
 * TLS, HTTP) so a failure names its layer, each layer timed and bounded by
 * the timeout; nothing stays open when it returns, but the connection
 * `keep` takes.
 */
export async function probeEndpoint(
  target: string,
  options: {
    timeoutMs: number;
    material: TlsMaterial;
    proxy?: string;
    lookup?: DnsLookup;
    connections?: Connections;
    keep?: KeepConnection;
    /** performance.now() when the run started: the origin of the timeline (default: the probe's start). */
    runStartedAt?: number;
  },
): Promise<ProbeResult> {
  const clock = new PhaseClock();
  const { isIP } = await import('node:net');
  const { timeoutMs, proxy } = options;
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const servername = isIP(host) ? undefined : host;
  const label = exchangeLabel('HEAD', url);
  const result: Omit<ProbeResult, 'timeline'> = { url: target, host, port, servername, timings: {} };
  if (proxy) result.proxy = describeProxy(proxy);
  let socket: Socket | undefined;
  let step: NonNullable<ProbeResult['failure']>['step'] = 'dns';
  try {
    let address = host;
    if (!proxy && servername !== undefined) {
      const started = performance.now();
      const lookup = options.lookup ?? defaultLookup;
      const found = await withDeadline(timeoutMs, () => lookup(host), () => new StepTimeout('dns', timeoutMs));
      if (found.length === 0) throw Object.assign(new Error(`${host} has no addresses`), { code: 'ENODATA' });
      result.addresses = found.map((entry) => entry.address);
      result.timings.dnsMs = elapsed(started);
      clock.end('dns');
      address = found[0]!.address;
    }
    step = proxy ? 'proxy' : 'tcp';
    let started = performance.now();
    socket = await connectWithin(timeoutMs, proxy, step, (progress) => openConnection(options.connections, proxy, { host, address, port }, progress));
    result.timings.tcpMs = elapsed(started);
    clock.end(proxy ? 'proxy' : 'connect');

    step = 'tls';
    started = performance.now();
    const raw = socket;
    const verified = await tlsOptions(host, servername, options.material, true, options.connections);
    const secure = await connectWithin(timeoutMs, proxy, 'tls', (progress) => startTls(raw, verified, progress));
    socket = secure;
    options.connections?.securedBy(raw, secure);
    result.timings.tlsMs = elapsed(started);
    clock.end('tls');
    result.tls = {
      protocol: secure.getProtocol(),
      cipher: secure.getCipher().name,
      alpn: secure.alpnProtocol,
      // The leaf alone: getPeerCertificate(true) converts the whole chain to objects, ~5 ms a handshake.
      serverCertificate: describePeer(secure.getPeerX509Certificate()),
      // The signature algorithms both sides share come from the server's
      // CertificateRequest; without one the list is empty (TLS 1.2 and 1.3, Node 20 and 22).
      clientCertificateRequested: secure.getSharedSigalgs().length > 0,
    };

    step = 'http';
    started = performance.now();
    const { reuse, ...http } = await withDeadline(
      timeoutMs,
      (signal) => headRequest(secure, url, signal, options.keep !== undefined, clock),
      () => new StepTimeout('http', timeoutMs, proxy),
    );
    result.http = http;
    result.timings.httpMs = elapsed(started);
    // Kept for the request that follows: it skips the TCP (or CONNECT) and TLS round trips.
    if (reuse.reusable && options.keep?.(secure, raw, reuse.serverIdleMs)) socket = undefined;
  } catch (error) {
    if (isLoadingFailure(error)) throw error;
    result.failure = { ...classifyNetworkError(error), step };
    if (step === 'http' && options.material.clientCertificate && result.failure.layer === 'tcp') {
      // A TLS 1.3 server checks the client certificate after the handshake
      // completes; when it rejects it, the first read meets a reset or EOF.
      result.failure = {
        ...result.failure,
        layer: 'tls-client-certificate',
        reason: 'the TLS handshake failed: the server closed the connection right after the handshake, as a TLS 1.3 server does when it rejects the client certificate',
      };
    }
    const attached = (error as { cert?: PeerCertificate }).cert;
    if (attached) result.untrustedCertificate = describePeer(attached);
    else if (step === 'tls' && ['tls-trust', 'tls-expired'].includes(result.failure.layer)) {
      result.untrustedCertificate = await inspectServerCertificate(host, port, servername, options);
    }
  } finally {
    socket?.destroy();
  }
  return { ...result, timeline: clock.entry('probe', label, options.runStartedAt ?? clock.startedAt) };
}

/**
 * After a verified handshake failed on trust, a second handshake reads the
 * certificate the server presents so the report can name its issuer and
 * fingerprint (a TLS-intercepting proxy, a self-signed test server). It
 * sends no data and closes at once: nothing travels over an unverified
 * connection, as with `openssl s_client`.
 */
async function inspectServerCertificate(
  host: string,
  port: number,
  servername: string | undefined,
  options: { timeoutMs: number; proxy?: string; connections?: Connections },
): Promise<ServerCertificate | undefined> {
  const { timeoutMs, proxy } = options;
  let socket: Socket | undefined;
  try {
    socket = await connectWithin(timeoutMs, proxy, proxy ? 'proxy' : 'tcp', (progress) =>
      openConnection(options.connections, proxy, { host, address: host, port }, progress),
    );
    const raw = socket;
    // Trusts nothing and presents nothing: Node's default context, not the run's.
    const insecure = await tlsOptions(host, servername, {}, false, undefined);
    const inspected = await connectWithin(timeoutMs, proxy, 'tls', (progress) => startTls(raw, insecure, progress));
    socket = inspected;
    return describePeer(inspected.getPeerX509Certificate());
  } catch {
    // The inspection only adds detail to a failure already diagnosed.
    return undefined;
  } finally {
    socket?.destroy();
  }
}
