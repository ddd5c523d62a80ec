import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJose } from '../../src/oauth/jose.js';
import { loadUndici } from '../../src/net/undici.js';

// The loaders of golive's bundled undici and jose (src/net/undici.ts,
// src/oauth/jose.ts): loaded once, and undici's request() as golive calls it.

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      res.setHeader('x-seen', `${req.method} ${req.url} ${body}`);
      res.end('hello');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('loadUndici', () => {
  it('loads once: every call gets the same module', async () => {
    const [first, second] = await Promise.all([loadUndici(), loadUndici()]);
    expect(second).toBe(first);
    expect(await loadUndici()).toBe(first);
  });

  it("request() sends the method, the URL's path and query, and the body to the dispatcher, and reads the answer", async () => {
    const { Agent, request } = await loadUndici();
    const dispatcher = new Agent();
    try {
      const response = await request(`${origin}/oauth2/token?x=1#fragment`, { dispatcher, method: 'POST', body: 'grant_type=client_credentials' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-seen']).toBe('POST /oauth2/token?x=1 grant_type=client_credentials');
      expect(await response.body.text()).toBe('hello');
      const plain = await request(origin, { dispatcher, method: 'GET' });
      expect(plain.headers['x-seen']).toBe('GET / ');
      await plain.body.dump();
    } finally {
      await dispatcher.close();
    }
  });
});

describe('loadJose', () => {
  it('loads once, with what assertions and the sandbox use', async () => {
    const jose = await loadJose();
    expect(await loadJose()).toBe(jose);
    for (const name of ['SignJWT', 'compactVerify', 'jwtVerify', 'createLocalJWKSet'] as const) expect(typeof jose[name], name).toBe('function');
    expect(new jose.errors.JWTExpired('expired', {})).toBeInstanceOf(jose.errors.JOSEError);
  });
});
