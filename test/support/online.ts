import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { connect as netConnect } from 'node:net';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { checkConfigs } from '../../src/check-run.js';
import { parseEnvFile } from '../../src/config/interpolate.js';
import { DEFAULT_OPTIONS, type RunOptions } from '../../src/pipeline/context.js';
import type { CheckReport } from '../../src/report/types.js';
import type { DnsLookup } from '../../src/net/probe.js';
import { expectFindingFields } from './report-invariants.js';
import type { Sandbox } from '../../src/sandbox/index.js';

let variants = 0;

/** Writes a copy of a sandbox config with some fields replaced (deep merge of plain objects). */
export function configVariant(source: string, changes: Record<string, unknown>): string {
  const data = parse(readFileSync(source, 'utf8')) as Record<string, unknown>;
  const merge = (target: Record<string, unknown>, patch: Record<string, unknown>): void => {
    for (const [key, value] of Object.entries(patch)) {
      const existing = target[key];
      if (value && typeof value === 'object' && !Array.isArray(value) && existing && typeof existing === 'object') {
        merge(existing as Record<string, unknown>, value as Record<string, unknown>);
      } else if (value === undefined) {
        delete target[key];
      } else {
        target[key] = value;
      }
    }
  };
  merge(data, changes);
  const file = path.join(path.dirname(source), `variant-${process.pid}-${++variants}.yaml`);
  writeFileSync(file, stringify(data));
  return file;
}

export function sandboxEnv(sandbox: Sandbox, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  // Without the machine's proxy variables: these tests talk to 127.0.0.1 only.
  const { HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy, NO_PROXY, no_proxy, ...base } = process.env;
  void [HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy, NO_PROXY, no_proxy];
  return { ...base, ...parseEnvFile(readFileSync(sandbox.envFile, 'utf8')), ...extra };
}

/** Runs the checks on one config and returns its results by id. */
export async function runOnline(
  config: string,
  env: Record<string, string | undefined>,
  options: Partial<RunOptions> = {},
  extra: { lookup?: DnsLookup; now?: () => number } = {},
): Promise<Record<string, CheckReport>> {
  const { report } = await checkConfigs({ configs: [config], options: { ...DEFAULT_OPTIONS, ...options }, env, ...extra });
  expectFindingFields(report);
  return Object.fromEntries(report.runs[0]!.checks.map((check) => [check.id, check]));
}

export interface Listening {
  port: number;
  url: string;
  close(): Promise<void>;
}

function listening(server: NetServer | HttpServer | TlsServer, scheme: string, sockets: Set<Socket>): Promise<Listening> {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        port,
        url: `${scheme}://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Accepts TCP connections and never says a word. */
export function startSilentServer(): Promise<Listening> {
  return listening(createNetServer(() => undefined), 'https', new Set());
}

/** Plain HTTP where TLS is expected. */
export function startPlainHttpServer(): Promise<Listening> {
  return listening(createHttpServer((_req, res) => res.end('plain')), 'https', new Set());
}

/**
 * A TLS server with the given certificate answering every request with one
 * canned response (default: 200, empty, with a Date header).
 */
export function startTlsServer(options: {
  cert: string;
  key: string;
  date?: () => string | undefined;
  status?: number;
  body?: string;
  /** Ask for a client certificate in the handshake (without demanding one). */
  requestCert?: boolean;
}): Promise<Listening> {
  const tlsOptions = { cert: options.cert, key: options.key, requestCert: options.requestCert ?? false, rejectUnauthorized: false };
  const server = createTlsServer(tlsOptions, (socket) => {
    socket.once('data', () => {
      const date = options.date ? options.date() : new Date().toUTCString();
      const body = options.body ?? '';
      const status = options.status ?? 200;
      socket.end(
        `HTTP/1.1 ${status} X\r\n${date ? `Date: ${date}\r\n` : ''}Content-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    socket.on('error', () => undefined);
  });
  return listening(server, 'https', new Set());
}

/** A CONNECT proxy on loopback: tunnels to 127.0.0.1 only, or refuses with 403. */
export function startConnectProxy(options: { refuse?: boolean } = {}): Promise<Listening & { tunnels: string[] }> {
  const tunnels: string[] = [];
  const server = createHttpServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    if (options.refuse || host !== '127.0.0.1') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = netConnect({ host: '127.0.0.1', port: Number(port) }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return listening(server, 'http', new Set()).then((base) => Object.assign(base, { tunnels }));
}

/** A server certificate for 127.0.0.1 issued by the sandbox CA, so a canned server is trusted like the sandbox. */
export async function sandboxServerCertificate(sandbox: Sandbox, subject: string): Promise<{ cert: string; key: string }> {
  const { issueCertificate, loadIssuer } = await import('../../src/sandbox/pki.js');
  const issued = await issueCertificate({
    subject,
    issuer: await loadIssuer(sandbox.ca.cert, sandbox.ca.key),
    key: { kind: 'ec' },
    ipAddresses: ['127.0.0.1'],
    extKeyUsage: ['serverAuth'],
  });
  return { cert: issued.certPem, key: issued.keyPem };
}
