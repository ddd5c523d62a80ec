// A client for the sandbox that is independent of golive's checks: undici and jose only.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { importPKCS8, SignJWT, decodeJwt } from 'jose';
import { Agent, request } from 'undici';
import type { Sandbox } from '../../src/sandbox/index.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface ClientCertificate {
  cert: string;
  key: string;
}

export async function transportCredentials(sandbox: Sandbox): Promise<ClientCertificate> {
  return {
    cert: await readFile(sandbox.files.transportCert, 'utf8'),
    key: await readFile(sandbox.files.transportKey, 'utf8'),
  };
}

/** One request over a fresh connection, so TLS faults toggled between requests apply. */
export async function call(
  sandbox: Sandbox,
  url: string,
  init: {
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    clientCert?: ClientCertificate;
    timeoutMs?: number;
  } = {},
): Promise<Answer> {
  const ca = await readFile(sandbox.caFile, 'utf8');
  const agent = new Agent({ connect: { ca, ...(init.clientCert ?? {}) } });
  try {
    const response = await request(url, {
      dispatcher: agent,
      method: init.method ?? 'GET',
      headers: init.headers,
      body: init.body,
      headersTimeout: init.timeoutMs ?? 5000,
      bodyTimeout: init.timeoutMs ?? 5000,
    });
    const text = await response.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, text, json };
  } finally {
    await agent.destroy();
  }
}

export type Method = 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt';

export interface TokenRequest {
  method: Method;
  mtls: boolean;
  clientCert?: ClientCertificate;
  alg?: 'RS256' | 'PS256' | 'ES256';
  kid?: string;
  aud?: string;
  exp?: number;
}

export async function assertionFor(sandbox: Sandbox, clientId: string, options: TokenRequest, aud: string): Promise<string> {
  const es = options.alg === 'ES256';
  const keyPem = await readFile(es ? sandbox.files.signingEs256Key : sandbox.files.signingKey, 'utf8');
  const alg = options.alg ?? 'PS256';
  const key = await importPKCS8(keyPem, alg);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg, kid: options.kid ?? (es ? sandbox.kids.signingEs256 : sandbox.kids.signing) })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(options.aud ?? aud)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(options.exp ?? now + 120)
    .sign(key);
}

export async function requestToken(sandbox: Sandbox, options: TokenRequest): Promise<Answer> {
  const url = options.mtls ? sandbox.endpoints.tokenMtls : sandbox.endpoints.token;
  const clientId = sandbox.clients[`${options.method}-${options.mtls ? 'mtls' : 'tls'}`];
  const secret = (await readFile(sandbox.envFile, 'utf8')).match(/^THREDD_CLIENT_SECRET=(.*)$/m)![1]!;
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (options.method === 'client_secret_post') {
    form.set('client_id', clientId);
    form.set('client_secret', secret);
  } else if (options.method === 'client_secret_basic') {
    const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
  } else {
    form.set('client_id', clientId);
    form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    form.set('client_assertion', await assertionFor(sandbox, clientId, options, url));
  }
  const clientCert = options.clientCert ?? (options.mtls ? await transportCredentials(sandbox) : undefined);
  return call(sandbox, url, { method: 'POST', headers, body: form.toString(), ...(clientCert ? { clientCert } : {}) });
}

export async function tokenFor(sandbox: Sandbox, options: TokenRequest): Promise<string> {
  const answer = await requestToken(sandbox, options);
  if (answer.status !== 200) throw new Error(`token request failed: ${answer.status} ${answer.text}`);
  return answer.json.access_token as string;
}

export function probe(
  sandbox: Sandbox,
  options: { mtls: boolean; token?: string; region?: string; path?: string; clientCert?: ClientCertificate },
): Promise<Answer> {
  const base = options.mtls ? sandbox.endpoints.apiMtls : sandbox.endpoints.api;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.region !== undefined) headers['x-region'] = options.region;
  return call(sandbox, base + (options.path ?? '/core/api/v1/products'), {
    headers,
    ...(options.clientCert ? { clientCert: options.clientCert } : {}),
  });
}

export const TRACE_ID = /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/;

export function expectThreddError(answer: Answer, status: number): void {
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${answer.text}`);
  const body = answer.json;
  if (!body || typeof body.type !== 'string' || typeof body.title !== 'string' || body.status !== status) {
    throw new Error(`not a Thredd error body: ${answer.text}`);
  }
  if (!TRACE_ID.test(body.traceId)) throw new Error(`bad traceId ${body.traceId}`);
  if (typeof body.errors !== 'object' || body.errors === null) throw new Error(`errors missing: ${answer.text}`);
}

export { decodeJwt };
