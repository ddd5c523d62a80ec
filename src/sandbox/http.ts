import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { CLOCK_OFFSET_SECONDS, type FaultName } from './faults.js';
import type { CertAndKey, Material } from './material.js';

export const HOST = '127.0.0.1';

/** The live fault set, shared by every listener and read on each request. */
export interface FaultState {
  has(fault: FaultName): boolean;
}

/** A W3C traceparent-shaped id, as Thredd puts in `traceId`. */
export function newTraceId(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
}

/** The sandbox clock: real time, or ahead under `clock-offset`. */
export function sandboxNow(faults: FaultState): number {
  return Date.now() + (faults.has('clock-offset') ? CLOCK_OFFSET_SECONDS * 1000 : 0);
}

export function setDateHeader(res: ServerResponse, faults: FaultState): void {
  res.setHeader('Date', new Date(sandboxNow(faults)).toUTCString());
}

export interface ThreddError {
  type: string;
  title: string;
  status: number;
  traceId: string;
  errors: Record<string, string[]>;
}

const PROBLEM_TYPES: Record<number, string> = {
  400: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
  401: 'https://tools.ietf.org/html/rfc9110#section-15.5.2',
  403: 'https://tools.ietf.org/html/rfc9110#section-15.5.4',
  404: 'https://tools.ietf.org/html/rfc9110#section-15.5.5',
  405: 'https://tools.ietf.org/html/rfc9110#section-15.5.6',
  500: 'https://tools.ietf.org/html/rfc9110#section-15.6.1',
};

/** Answers with an error body in Thredd's shape. */
export function sendThreddError(
  res: ServerResponse,
  status: number,
  title: string,
  errors: Record<string, string[]>,
  headers: Record<string, string> = {},
): void {
  const body: ThreddError = {
    type: PROBLEM_TYPES[status] ?? PROBLEM_TYPES[500]!,
    title,
    status,
    traceId: newTraceId(),
    errors,
  };
  sendJson(res, status, body, { 'content-type': 'application/problem+json; charset=utf-8', ...headers });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function listen(server: HttpServer | HttpsServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, drops every open connection (a hanging JWKS request included) and waits. */
export function closeServer(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/** Which certificate the HTTPS listeners present, and whether they ask for a client certificate. */
export function applyTlsFaults(server: HttpsServer, material: Material, faults: FaultState, mutual: boolean): void {
  let identity: CertAndKey = material.server;
  if (faults.has('untrusted-server-certificate')) identity = material.serverUntrusted;
  else if (faults.has('hostname-mismatch')) identity = material.serverHostnameMismatch;
  const requestCert = mutual ? !faults.has('mtls-cert-not-requested') : faults.has('mtls-cert-required');
  server.setSecureContext({ cert: identity.cert, key: identity.key, ca: material.ca.cert });
  // The server reads these two per connection; setSecureContext does not change them.
  Object.assign(server, { requestCert, rejectUnauthorized: requestCert });
}

export function httpsOptions(material: Material, mutual: boolean) {
  return {
    cert: material.server.cert,
    key: material.server.key,
    ca: material.ca.cert,
    requestCert: mutual,
    rejectUnauthorized: mutual,
  };
}

/** The client certificate presented on this request's connection, as DER, if any. */
export function peerCertificate(req: IncomingMessage): Buffer | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate();
  return peer && peer.raw && peer.raw.length > 0 ? peer.raw : undefined;
}

export function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://sandbox').pathname;
}
