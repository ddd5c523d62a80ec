import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { createCa, issueCertificate } from '../../src/sandbox/pki.js';

/**
 * An HTTPS server on 127.0.0.1 that reflects each request (headers, body,
 * URL, and the credentials decoded from them) back at the client, the way
 * badly behaved token endpoints, gateways and API hosts do in their errors:
 * as an OAuth error_description, plain text, a Thredd API error, response
 * headers, or a redirect to a URL holding them. It records every request,
 * so a test can prove which secrets went on the wire.
 *
 *   HEAD *                  200 (the reachability probe)
 *   GET  /jwks/…            200, an empty JSON Web Key Set
 *   POST /token/<mode>      oauth | text | short | thredd | json | redirect: the request reflected;
 *                           issue | issue-jwt: 200 with `tokens.opaque` or `tokens.jwt` (and the request reflected)
 *   *    /api/<mode>/…      oauth | text | thredd | redirect: the request (bearer token included) reflected
 */
export interface EchoServer {
  origin: string;
  /** The CA that issued the server certificate (PEM): a config's http.ca. */
  caPem: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface EchoOptions {
  /** The access tokens the token endpoint issues. */
  tokens: { opaque: string; jwt: string };
  /** A JWT that is none of golive's business, quoted in every reflection (servers do quote tokens). */
  foreignJwt: string;
}

/** JSON as Python's json.dumps writes it: every non-ASCII character as \uXXXX. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON as PHP's json_encode writes it: non-ASCII as \uXXXX and `/` as `\/`. */
function phpJson(value: unknown): string {
  return asciiJson(value).replace(/\//g, '\\/');
}

/** A header value node:http accepts: ASCII, percent-encoding the rest. */
function headerText(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, (ch) => encodeURIComponent(ch));
}

const formDecode = (value: string): string => decodeURIComponent(value.replace(/\+/g, ' '));

/** The client secret the request carried, decoded from the form or the Basic credentials. */
function clientSecretOf(request: RecordedRequest): string | undefined {
  const [scheme, credentials] = (request.headers.authorization ?? '').split(' ');
  if (scheme === 'Basic' && credentials) return formDecode(Buffer.from(credentials, 'base64').toString('utf8').split(':')[1] ?? '');
  return new URLSearchParams(request.body).get('client_secret') ?? undefined;
}

/** Everything the request carried, raw and decoded, as a careless server prints it. */
function reflection(request: RecordedRequest, foreignJwt: string): string {
  const lines = [`${request.method} ${request.url}`, ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`), '', request.body, ''];
  for (const [name, value] of new URLSearchParams(request.body)) lines.push(`form ${name}=${value}`);
  const [scheme, credentials] = (request.headers.authorization ?? '').split(' ');
  if (scheme === 'Basic' && credentials) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const [id = '', secret = ''] = decoded.split(':');
    lines.push(`basic ${decoded}`, `basic id=${formDecode(id)} secret=${formDecode(secret)}`);
  }
  if (scheme === 'Bearer') lines.push(`bearer ${request.headers.authorization!.slice('Bearer '.length)}`);
  lines.push(`id_token_hint ${foreignJwt}`);
  return lines.join('\n');
}

function reflectingHeaders(request: RecordedRequest): Record<string, string> {
  const authorization = request.headers.authorization ?? '';
  return {
    'x-request-id': headerText(authorization),
    'x-correlation-id': headerText(request.body),
    'www-authenticate': `${authorization.split(' ')[0] || 'Basic'} realm="echo", error="invalid_client", error_description="${headerText(authorization).replace(/["\\]/g, '\\$&')}"`,
  };
}

function answer(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) }).end(body);
}

function respond(request: RecordedRequest, res: ServerResponse, options: EchoOptions): void {
  const [, role = '', mode = ''] = request.url.split('?')[0]!.split('/');
  if (request.method === 'HEAD') return answer(res, 200, {}, '');
  if (role === 'jwks') return answer(res, 200, { 'content-type': 'application/json' }, '{"keys":[]}');
  const echo = reflection(request, options.foreignJwt);
  const headers = reflectingHeaders(request);
  const json = { 'content-type': 'application/json', ...headers };
  const bearer = (request.headers.authorization ?? '').replace(/^Bearer /, '');
  switch (mode) {
    case 'oauth':
      return answer(
        res,
        role === 'api' ? 401 : 400,
        json,
        JSON.stringify({ error: role === 'api' ? 'invalid_token' : 'invalid_client', error_description: echo, error_uri: `https://errors.example/?request=${encodeURIComponent(echo)}` }),
      );
    case 'text':
      return answer(res, role === 'api' ? 403 : 401, { 'content-type': 'text/plain; charset=utf-8', ...headers }, echo);
    case 'short':
      // One line, no JWT: the kind of body golive quotes the start of.
      return answer(
        res,
        401,
        { 'content-type': 'text/plain' },
        `Client authentication failed: secret "${clientSecretOf(request) ?? ''}" not valid (sent: ${request.headers.authorization ?? request.body})`,
      );
    case 'thredd':
      return answer(
        res,
        400,
        { ...json, 'content-type': 'application/problem+json' },
        phpJson({
          type: 'https://errors.example/validation',
          title: `Rejected ${request.headers.authorization ?? request.body}`,
          status: 400,
          traceId: `00-${bearer || request.body}-01`,
          errors: { Authorization: [request.headers.authorization ?? ''], Body: [request.body], Request: [echo] },
        }),
      );
    case 'json':
      return answer(res, 400, json, asciiJson({ message: echo, request: { headers: request.headers, body: request.body } }));
    case 'redirect': {
      const query = role === 'api' ? `access_token=${encodeURIComponent(bearer)}` : request.body;
      const location = `https://elsewhere.example/${role}?${query}&auth=${encodeURIComponent(request.headers.authorization ?? '')}&echo=${encodeURIComponent(echo)}`;
      return answer(res, 307, { ...headers, location }, '');
    }
    case 'issue':
    case 'issue-jwt':
      return answer(
        res,
        200,
        { 'content-type': 'application/json', 'cache-control': 'no-store' },
        JSON.stringify({ access_token: mode === 'issue' ? options.tokens.opaque : options.tokens.jwt, token_type: 'Bearer', expires_in: 300, echo }),
      );
    default:
      return answer(res, 404, {}, '');
  }
}

export async function startEchoServer(options: EchoOptions): Promise<EchoServer> {
  const ca = await createCa('CN=golive canary echo CA');
  const server = await issueCertificate({ subject: 'CN=127.0.0.1', issuer: ca, key: { kind: 'ec' }, ipAddresses: ['127.0.0.1'], extKeyUsage: ['serverAuth'] });
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const https: Server = createServer({ cert: server.certPem, key: server.keyPem }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')])),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      respond(recorded, res, options);
    });
  });
  https.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  return {
    origin: `https://127.0.0.1:${(https.address() as { port: number }).port}`,
    caPem: ca.certPem,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        https.close(() => resolve());
      }),
  };
}
