import type { Socket } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { classifyNetworkError, type NetworkFailure } from './classify.js';
import { describeProxy } from './proxy.js';

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
  addresses?: string[];
  tls?: { protocol: string | null; cipher: string; alpn?: string | false | null; serverCertificate?: ServerCertificate };
  /** The status and Date of a HEAD request over the connection, proving the server accepted it. */
  http?: { status: number; date?: string; server?: string };
  failure?: NetworkFailure & { step: 'dns' | 'tcp' | 'proxy' | 'tls' | 'http' };
  /** The certificate an untrusted server presented (from an inspection handshake that sends nothing). */
  untrustedCertificate?: ServerCertificate;
}

/** Resolves a host name to its addresses; injectable so tests never query a real resolver. */
export type DnsLookup = (host: string) => Promise<{ address: string }[]>;

/**
 * Node's networking modules, loaded on first use: `check --offline` never
 * needs them, and they cost start-up time.
 */
async function importNetworking() {
  const [dns, http, net, tls] = await Promise.all([
    import('node:dns/promises'),
    import('node:http'),
    import('node:net'),
    import('node:tls'),
  ]);
  return { dns, http, net, tls };
}

type Networking = Awaited<ReturnType<typeof importNetworking>>;

let networking: Promise<Networking> | undefined;

function loadNetworking(): Promise<Networking> {
  networking ??= importNetworking();
  return networking;
}


const defaultLookup: DnsLookup = async (host) => (await loadNetworking()).dns.lookup(host, { all: true });

class StepTimeout extends Error {
  readonly code = 'GOLIVE_TIMEOUT';
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout?.();
        reject(new StepTimeout(`timed out after ${ms} ms`));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function trustAnchors(material: TlsMaterial): Promise<string[] | undefined> {
  if (!material.extraCa || material.extraCa.length === 0) return undefined;
  // Setting `ca` replaces Node's roots, so extra anchors are added to them.
  const { tls } = await loadNetworking();
  return [...tls.rootCertificates, ...material.extraCa];
}

function describePeer(peer: PeerCertificate | undefined): ServerCertificate | undefined {
  if (!peer?.raw) return undefined;
  const cert = new X509Certificate(peer.raw);
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

function connectTcp({ net }: Networking, host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

function connectThroughProxy({ http }: Networking, proxy: string, host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const proxyUrl = new URL(proxy);
    const headers: Record<string, string> = { host: `${host}:${port}` };
    if (proxyUrl.username) {
      const credentials = `${decodeURIComponent(proxyUrl.username)}:${decodeURIComponent(proxyUrl.password)}`;
      headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    const req = http.request({
      host: proxyUrl.hostname,
      port: Number(proxyUrl.port || 80),
      method: 'CONNECT',
      path: `${host}:${port}`,
      headers,
    });
    req.once('connect', (response, socket) => {
      if (response.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(Object.assign(new Error(`the proxy answered ${response.statusCode} to CONNECT`), { code: 'GOLIVE_PROXY' }));
      }
    });
    req.once('error', reject);
    req.end();
  });
}

async function handshake(
  { tls }: Networking,
  socket: Socket,
  host: string,
  servername: string | undefined,
  material: TlsMaterial,
  verify: boolean,
): Promise<TLSSocket> {
  const ca = await trustAnchors(material);
  return new Promise((resolve, reject) => {
    const secure = tls.connect({
      socket,
      // Over an existing socket, `host` is what the certificate is checked against.
      host,
      servername,
      ca,
      cert: material.clientCertificate?.cert,
      key: material.clientCertificate?.key,
      ALPNProtocols: ['http/1.1'],
      rejectUnauthorized: verify,
    });
    secure.once('secureConnect', () => resolve(secure));
    secure.once('error', (error) => {
      secure.destroy();
      reject(error);
    });
  });
}

/** Reads the status line and headers of a HEAD request; a TLS 1.3 client-certificate alert surfaces here. */
function headRequest(socket: TLSSocket, url: URL): Promise<{ status: number; date?: string; server?: string }> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('latin1');
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1 && buffer.length < 65_536) return;
      socket.off('data', onData);
      const [statusLine = '', ...lines] = buffer.slice(0, end === -1 ? undefined : end).split('\r\n');
      const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1]);
      if (!status) {
        reject(Object.assign(new Error('the server did not answer with HTTP'), { code: 'GOLIVE_NOT_HTTP' }));
        return;
      }
      const header = (name: string): string | undefined =>
        lines.find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
      resolve({ status, date: header('date'), server: header('server') });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('end', () => reject(Object.assign(new Error('the server closed the connection without answering'), { code: 'ECONNRESET' })));
    socket.write(`HEAD ${url.pathname || '/'} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: golive\r\nConnection: close\r\n\r\n`);
  });
}

/**
 * Connects to an https URL one layer at a time (DNS, TCP or proxy tunnel,
 * TLS, HTTP) so a failure names its layer, each layer timed.
 */
export async function probeEndpoint(
  target: string,
  options: { timeoutMs: number; material: TlsMaterial; proxy?: string; lookup?: DnsLookup },
): Promise<ProbeResult> {
  const modules = await loadNetworking();
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const servername = modules.net.isIP(host) ? undefined : host;
  const result: ProbeResult = { url: target, host, port, servername, timings: {} };
  if (options.proxy) result.proxy = describeProxy(options.proxy);
  let socket: Socket | undefined;
  let step: NonNullable<ProbeResult['failure']>['step'] = 'dns';
  try {
    let address = host;
    if (!options.proxy && servername !== undefined) {
      const started = performance.now();
      const found = await withTimeout((options.lookup ?? defaultLookup)(host), options.timeoutMs);
      if (found.length === 0) throw Object.assign(new Error(`${host} has no addresses`), { code: 'ENODATA' });
      result.addresses = found.map((entry) => entry.address);
      result.timings.dnsMs = elapsed(started);
      address = found[0]!.address;
    }
    step = options.proxy ? 'proxy' : 'tcp';
    let started = performance.now();
    const connecting = options.proxy ? connectThroughProxy(modules, options.proxy, host, port) : connectTcp(modules, address, port);
    socket = await withTimeout(connecting, options.timeoutMs, () => void connecting.then((s) => s.destroy(), () => undefined));
    result.timings.tcpMs = elapsed(started);

    step = 'tls';
    started = performance.now();
    const raw = socket;
    const secure = await withTimeout(handshake(modules, raw, host, servername, options.material, true), options.timeoutMs, () => raw.destroy());
    socket = secure;
    result.timings.tlsMs = elapsed(started);
    result.tls = {
      protocol: secure.getProtocol(),
      cipher: secure.getCipher().name,
      alpn: secure.alpnProtocol,
      serverCertificate: describePeer(secure.getPeerCertificate(true)),
    };

    step = 'http';
    started = performance.now();
    result.http = await withTimeout(headRequest(secure, url), options.timeoutMs);
    result.timings.httpMs = elapsed(started);
  } catch (error) {
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
      result.untrustedCertificate = await inspectServerCertificate(modules, host, port, servername, options);
    }
  } finally {
    socket?.destroy();
  }
  return result;
}

/**
 * After a verified handshake failed on trust, a second handshake reads the
 * certificate the server presents so the report can name its issuer and
 * fingerprint (a TLS-intercepting proxy, a self-signed test server). It
 * sends no data and closes at once: nothing travels over an unverified
 * connection, as with `openssl s_client`.
 */
async function inspectServerCertificate(
  modules: Networking,
  host: string,
  port: number,
  servername: string | undefined,
  options: { timeoutMs: number; proxy?: string },
): Promise<ServerCertificate | undefined> {
  let socket: Socket | undefined;
  try {
    const connecting = options.proxy ? connectThroughProxy(modules, options.proxy, host, port) : connectTcp(modules, host, port);
    socket = await withTimeout(connecting, options.timeoutMs);
    const raw = socket;
    const inspected = await withTimeout(handshake(modules, raw, host, servername, {}, false), options.timeoutMs, () => raw.destroy());
    socket = inspected;
    return describePeer(inspected.getPeerCertificate(true));
  } catch {
    // The inspection only adds detail to a failure already diagnosed.
    return undefined;
  } finally {
    socket?.destroy();
  }
}
