import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JSONWebKeySet, JWTPayload } from 'jose';
import { REQUIRED_REGION } from './faults.js';
import {
  applyTlsFaults,
  httpsOptions,
  pathOf,
  peerCertificate,
  sendJson,
  sendThreddError,
  setDateHeader,
  type FaultState,
} from './http.js';
import { loadJose, type Jose } from '../oauth/jose.js';
import { certificateThumbprint, type Material } from './material.js';

/** The platform's fair-use rule: concurrent connections allowed per client IP. */
export const MAX_CONNECTIONS_PER_CLIENT = 20;
export const REGIONS: Record<string, string> = { '0': 'Default', '1': 'EMEA', '2': 'APAC' };

const PRODUCTS = [
  { productId: 1001, name: 'Sandbox Prepaid GBP', currency: 'GBP', type: 'Prepaid' },
  { productId: 1002, name: 'Sandbox Debit EUR', currency: 'EUR', type: 'Debit' },
];
const CARDS = [{ publicToken: '100000001', productId: 1001, status: 'Active', maskedPan: '999999******0001' }];

export interface ApiHostOptions {
  material: Material;
  faults: FaultState;
  mutual: boolean;
  /** The provider's public signing keys, issuer and resource: what a bearer token must match. */
  tokenKeys: JSONWebKeySet;
  issuer: string;
  resource: string;
}

type Route = (req: IncomingMessage, res: ServerResponse, params: string[]) => void;

const ROUTES: Array<[RegExp, Route]> = [
  [/^\/core\/api\/v1\/products$/, (_req, res) => sendJson(res, 200, { products: PRODUCTS, totalCount: PRODUCTS.length })],
  [
    /^\/core\/api\/v1\/products\/([^/]+)$/,
    (_req, res, [id]) => {
      const product = PRODUCTS.find((p) => String(p.productId) === id);
      if (product) sendJson(res, 200, product);
      else sendThreddError(res, 404, 'Not Found', { productId: [`Product ${id} was not found.`] });
    },
  ],
  [
    /^\/core\/api\/v1\/cards\/([^/]+)$/,
    (_req, res, [token]) => {
      const card = CARDS.find((c) => c.publicToken === token);
      if (card) sendJson(res, 200, card);
      else sendThreddError(res, 404, 'Not Found', { publicToken: [`Card ${token} was not found.`] });
    },
  ],
];

function unauthorized(res: ServerResponse, description: string): void {
  sendThreddError(res, 401, 'Unauthorized', { Authorization: [description] }, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${description.replace(/"/g, "'")}"`,
  });
}

function describeJoseError(error: unknown, { errors }: Jose): string {
  if (error instanceof errors.JWTExpired) return 'The access token has expired.';
  if (error instanceof errors.JWTClaimValidationFailed) return `The access token ${error.claim} claim is not accepted.`;
  if (error instanceof errors.JOSEError) return `The access token is not valid (${error.code}).`;
  return 'The access token is not valid.';
}

/** An API host: TLS, or mTLS with certificate-bound tokens, answering Thredd-shaped errors. */
export function createApiHost(options: ApiHostOptions): Server {
  const { faults, mutual } = options;
  // Made at the first request, when jose loads.
  let keys: ReturnType<Jose['createLocalJWKSet']> | undefined;
  const connections = new Map<string, number>();

  async function authorize(req: IncomingMessage, res: ServerResponse): Promise<JWTPayload | undefined> {
    const header = req.headers.authorization;
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match?.[1]) {
      unauthorized(res, header ? 'The Authorization header is not a Bearer token.' : 'The Authorization header is missing.');
      return undefined;
    }
    const jose = await loadJose();
    keys ??= jose.createLocalJWKSet(options.tokenKeys);
    let payload: JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(match[1], keys, { issuer: options.issuer, audience: options.resource }));
    } catch (error) {
      unauthorized(res, describeJoseError(error, jose));
      return undefined;
    }
    const bound = (payload.cnf as { 'x5t#S256'?: string } | undefined)?.['x5t#S256'];
    const presented = peerCertificate(req);
    if (mutual && !bound) {
      unauthorized(res, 'The access token is not bound to a client certificate; request it over the mTLS token endpoint.');
      return undefined;
    }
    if (bound && !presented) {
      unauthorized(res, 'The access token is bound to a client certificate, but none was presented.');
      return undefined;
    }
    if (bound && presented && certificateThumbprint(presented) !== bound) {
      unauthorized(res, 'The access token is bound to a different client certificate than the one presented.');
      return undefined;
    }
    return payload;
  }

  function checkRegion(req: IncomingMessage, res: ServerResponse): boolean {
    const region = req.headers['x-region'];
    if (region === undefined) {
      sendThreddError(res, 400, 'Bad Request', { 'X-Region': ['The X-Region header is required: 0 Default, 1 EMEA, 2 APAC.'] });
      return false;
    }
    if (typeof region !== 'string' || !Object.hasOwn(REGIONS, region.trim())) {
      sendThreddError(res, 400, 'Bad Request', { 'X-Region': [`X-Region "${String(region)}" is not one of 0, 1, 2.`] });
      return false;
    }
    if (faults.has('required-region') && region.trim() !== String(REQUIRED_REGION)) {
      sendThreddError(res, 403, 'Forbidden', {
        'X-Region': [`This client is provisioned in region ${REQUIRED_REGION} (${REGIONS[String(REQUIRED_REGION)]}), not ${region.trim()}.`],
      });
      return false;
    }
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setDateHeader(res, faults);
    const client = req.socket.remoteAddress ?? 'unknown';
    if ((connections.get(client) ?? 0) > MAX_CONNECTIONS_PER_CLIENT) {
      sendThreddError(res, 403, 'Forbidden', {
        connections: [`More than ${MAX_CONNECTIONS_PER_CLIENT} concurrent connections from ${client}; reduce client concurrency.`],
      });
      return;
    }
    const path = pathOf(req);
    const route = ROUTES.map(([pattern, run]) => [pattern.exec(path), run] as const).find(([m]) => m !== null);
    if (!route) {
      sendThreddError(res, 404, 'Not Found', { path: [`No resource at ${path}.`] });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendThreddError(res, 405, 'Method Not Allowed', { method: [`${req.method} is not allowed on ${path}.`] }, { allow: 'GET, HEAD' });
      return;
    }
    if (!(await authorize(req, res))) return;
    if (!checkRegion(req, res)) return;
    const [matched, run] = route;
    run(req, res, matched!.slice(1));
  }

  const server = createServer(httpsOptions(options.material, mutual), (req, res) => {
    req.resume();
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendThreddError(res, 500, 'Internal Server Error', { server: [String(error)] });
    });
  });
  server.on('connection', (socket: import('node:net').Socket) => {
    const client = socket.remoteAddress ?? 'unknown';
    connections.set(client, (connections.get(client) ?? 0) + 1);
    socket.once('close', () => {
      const left = (connections.get(client) ?? 1) - 1;
      if (left > 0) connections.set(client, left);
      else connections.delete(client);
    });
  });
  applyTlsFaults(server, options.material, faults, mutual);
  return server;
}
