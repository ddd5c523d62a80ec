import { X509Certificate } from 'node:crypto';
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readPlainYaml } from '../../src/config/plain-yaml.js';
import { CLIENT_CERTIFICATE_DAYS } from '../../src/sandbox/material.js';
import { loadIssuer, issueCertificate } from '../../src/sandbox/pki.js';
import { runSandboxCommand, startSandbox, UnknownFaultError, type Sandbox } from '../../src/sandbox/index.js';
import { call, decodeJwt, expectThreddError, probe, requestToken, tokenFor, transportCredentials, type Method } from './client.js';

let sandbox: Sandbox;
let startupMs: number;

beforeAll(async () => {
  const started = performance.now();
  sandbox = await startSandbox({ quiet: true });
  startupMs = performance.now() - started;
});
afterAll(() => sandbox?.close());

const thumbprint = (pem: string) => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
const x5tS256 = (pem: string) => Buffer.from(thumbprint(pem), 'hex').toString('base64url');

describe('token endpoint', () => {
  const methods: Method[] = ['client_secret_post', 'client_secret_basic', 'private_key_jwt'];
  it.each(methods.flatMap((method) => [false, true].map((mtls) => ({ method, mtls }))))(
    '$method over mtls=$mtls issues a JWT access token',
    async ({ method, mtls }) => {
      const answer = await requestToken(sandbox, { method, mtls });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      const claims = decodeJwt(answer.json.access_token);
      expect(claims.client_id).toBe(sandbox.clients[`${method}-${mtls ? 'mtls' : 'tls'}`]);
      expect(claims.exp! - claims.iat!).toBe(3600);
      if (mtls) {
        const transport = await readFile(sandbox.files.transportCert, 'utf8');
        expect(claims.cnf).toEqual({ 'x5t#S256': x5tS256(transport) });
      } else {
        expect(claims.cnf).toBeUndefined();
      }
    },
  );

  it.each(['RS256', 'PS256', 'ES256'] as const)('private_key_jwt accepts %s assertions', async (alg) => {
    const answer = await requestToken(sandbox, { method: 'private_key_jwt', mtls: false, alg });
    expect(answer.status, answer.text).toBe(200);
  });

  it('refuses a wrong secret and an assertion signed for another audience', async () => {
    const wrong = await call(sandbox, sandbox.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sandbox.clients['client_secret_post-tls'],
        client_secret: 'not-the-secret',
      }).toString(),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('invalid_client');
    const aud = await requestToken(sandbox, { method: 'private_key_jwt', mtls: false, aud: 'https://elsewhere.example/token' });
    expect(aud.json.error).toBe('invalid_client');
  });

  it('the mTLS token listener refuses a connection without a client certificate', async () => {
    await expect(
      call(sandbox, sandbox.endpoints.tokenMtls, { method: 'POST', body: 'grant_type=client_credentials' }),
    ).rejects.toThrow();
  });

  it('an mTLS client cannot get a token over the TLS listener (no certificate to bind)', async () => {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sandbox.clients['client_secret_post-mtls'],
      client_secret: (await readFile(sandbox.envFile, 'utf8')).match(/=(.*)$/m)![1]!,
    });
    const answer = await call(sandbox, sandbox.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe('invalid_grant');
  });
});

describe('organisation JWKS', () => {
  it('publishes Thredd-shaped keys: opaque kid, use, x5c, x5t#S256, n, e, no alg', async () => {
    const answer = await call(sandbox, sandbox.endpoints.jwks);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/application\/json/);
    const keys = answer.json.keys as Array<Record<string, unknown>>;
    const signing = await readFile(sandbox.files.signingCert, 'utf8');
    const transport = await readFile(sandbox.files.transportCert, 'utf8');
    const sig = keys.find((k) => k['x5t#S256'] === x5tS256(signing));
    expect(sig).toMatchObject({ kty: 'RSA', kid: sandbox.kids.signing, use: 'sig' });
    expect(sig).toHaveProperty('n');
    expect(sig).toHaveProperty('e');
    expect(sig!.x5c).toEqual([new X509Certificate(signing).raw.toString('base64')]);
    expect(keys.find((k) => k['x5t#S256'] === x5tS256(transport))).toMatchObject({ kid: sandbox.kids.transport, use: 'tls' });
    for (const key of keys) expect(key).not.toHaveProperty('alg');
  });

  it('answers 404 for another organisation', async () => {
    const other = sandbox.endpoints.jwks.replace(sandbox.organisationId, '00000000-0000-0000-0000-000000000000');
    expect((await call(sandbox, other)).status).toBe(404);
  });
});

describe('API probe', () => {
  it('answers 200 with a valid token and region, over TLS and mTLS', async () => {
    const tls = await probe(sandbox, { mtls: false, region: '0', token: await tokenFor(sandbox, { method: 'client_secret_post', mtls: false }) });
    expect(tls.status, tls.text).toBe(200);
    expect(tls.json.products.length).toBeGreaterThan(0);
    const clientCert = await transportCredentials(sandbox);
    const token = await tokenFor(sandbox, { method: 'private_key_jwt', mtls: true });
    const mtls = await probe(sandbox, { mtls: true, region: '2', token, clientCert });
    expect(mtls.status, mtls.text).toBe(200);
  });

  it('serves other read endpoints and Thredd-shaped 404s', async () => {
    const token = await tokenFor(sandbox, { method: 'client_secret_basic', mtls: false });
    expect((await probe(sandbox, { mtls: false, region: '0', token, path: '/core/api/v1/products/1001' })).status).toBe(200);
    expect((await probe(sandbox, { mtls: false, region: '0', token, path: '/core/api/v1/cards/100000001' })).status).toBe(200);
    expectThreddError(await probe(sandbox, { mtls: false, region: '0', token, path: '/core/api/v1/cards/999' }), 404);
    expectThreddError(await probe(sandbox, { mtls: false, region: '0', token, path: '/nothing/here' }), 404);
  });

  it.each([
    { name: 'no token', token: undefined, status: 401 },
    { name: 'a garbage token', token: 'not.a.jwt', status: 401 },
  ])('refuses $name with a Thredd error', async ({ token, status }) => {
    const answer = await probe(sandbox, { mtls: false, region: '0', ...(token ? { token } : {}) });
    expectThreddError(answer, status);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('refuses a token signed by someone else', async () => {
    const real = decodeJwt(await tokenFor(sandbox, { method: 'client_secret_post', mtls: false }));
    const { SignJWT, generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(real).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    expectThreddError(await probe(sandbox, { mtls: false, region: '0', token: forged }), 401);
  });

  it.each([
    { region: undefined, status: 400 },
    { region: '3', status: 400 },
    { region: 'EMEA', status: 400 },
  ])('refuses X-Region $region', async ({ region, status }) => {
    const token = await tokenFor(sandbox, { method: 'client_secret_post', mtls: false });
    const answer = await probe(sandbox, { mtls: false, token, ...(region !== undefined ? { region } : {}) });
    expectThreddError(answer, status);
    expect(answer.json.errors).toHaveProperty('X-Region');
  });

  it('on mTLS requires the token to be bound to the presented certificate', async () => {
    const transport = await transportCredentials(sandbox);
    const ca = await loadIssuer(sandbox.ca.cert, sandbox.ca.key);
    const other = await issueCertificate({
      subject: 'CN=someone else, O=Sandbox Demo Organisation',
      issuer: ca,
      key: { kind: 'ec' },
      extKeyUsage: ['clientAuth'],
    });
    const bound = await tokenFor(sandbox, { method: 'client_secret_post', mtls: true });
    const unbound = await tokenFor(sandbox, { method: 'client_secret_post', mtls: false });
    const wrongCert = await probe(sandbox, { mtls: true, region: '0', token: bound, clientCert: { cert: other.certPem, key: other.keyPem } });
    expectThreddError(wrongCert, 401);
    expect(wrongCert.json.errors.Authorization[0]).toMatch(/different client certificate/);
    expectThreddError(await probe(sandbox, { mtls: true, region: '0', token: unbound, clientCert: transport }), 401);
    expectThreddError(await probe(sandbox, { mtls: false, region: '0', token: bound }), 401);
  });

  it('answers 403 past 20 concurrent connections from one client', async () => {
    const token = await tokenFor(sandbox, { method: 'client_secret_post', mtls: false });
    const { Agent, request } = await import('undici');
    const agent = new Agent({ connect: { ca: await readFile(sandbox.caFile, 'utf8') }, connections: 30 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 30 }, async () => {
          const response = await request(`${sandbox.endpoints.api}/core/api/v1/products`, {
            dispatcher: agent,
            headers: { authorization: `Bearer ${token}`, 'x-region': '0' },
          });
          return { status: response.statusCode, body: (await response.body.json()) as { status?: number; traceId?: string } };
        }),
      );
      const refused = answers.filter((a) => a.status === 403);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]!.body.status).toBe(403);
      expect(answers.some((a) => a.status === 200)).toBe(true);
    } finally {
      await agent.destroy();
    }
  });
});

describe('generated material and configs', () => {
  it('writes one config per auth method and connectivity, in the DESIGN format', async () => {
    expect(Object.keys(sandbox.configs)).toEqual(
      expect.arrayContaining([
        'client_secret_post-tls',
        'client_secret_basic-tls',
        'private_key_jwt-tls',
        'client_secret_post-mtls',
        'client_secret_basic-mtls',
        'private_key_jwt-mtls',
      ]),
    );
    const secret = (await readFile(sandbox.envFile, 'utf8')).match(/^THREDD_CLIENT_SECRET=(.+)$/m)![1]!;
    for (const [name, file] of Object.entries(sandbox.configs)) {
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain(secret);
      const config = parse(text);
      // golive reads it without the yaml library (src/config/plain-yaml.ts), as that library does.
      expect(readPlainYaml(text)).toEqual(config);
      const mtls = name.endsWith('-mtls');
      expect(config).toMatchObject({
        profile: 'custom',
        environment: 'uat',
        connectivity: mtls ? 'mtls' : 'tls',
        region: 0,
        organisationId: sandbox.organisationId,
        endpoints: {
          token: mtls ? sandbox.endpoints.tokenMtls : sandbox.endpoints.token,
          jwks: sandbox.endpoints.jwks.replace(sandbox.organisationId, '{organisationId}'),
          api: mtls ? sandbox.endpoints.apiMtls : sandbox.endpoints.api,
        },
        http: { ca: 'ca.pem' },
      });
      if (config.client.authMethod === 'private_key_jwt') {
        expect(config.signing.privateKey).toMatch(/^certs\//);
        expect(config.client.secret).toBeUndefined();
      } else {
        expect(config.client.secret).toBe('${THREDD_CLIENT_SECRET}');
      }
      expect(config.transport !== undefined).toBe(mtls);
    }
  });

  it('keeps private keys and the env file at mode 0600, and issues the CA and credentials as specified', async () => {
    for (const file of [sandbox.files.signingKey, sandbox.files.signingEs256Key, sandbox.files.transportKey, sandbox.envFile]) {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    }
    const ca = new X509Certificate(await readFile(sandbox.caFile, 'utf8'));
    expect(ca.subject.split('\n')).toEqual(['CN=Thredd Sandbox Issuing CA', 'O=golive sandbox']);
    const signing = new X509Certificate(await readFile(sandbox.files.signingCert, 'utf8'));
    expect(signing.checkIssued(ca)).toBe(true);
    expect(signing.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const transport = new X509Certificate(await readFile(sandbox.files.transportCert, 'utf8'));
    expect(transport.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
  });

  it("issues every client certificate in the folder for Thredd's 350 days, from a day back", async () => {
    const { signingCert, signingEs256Cert, transportCert, productionSigningCert, productionTransportCert } = sandbox.files;
    for (const file of [signingCert, signingEs256Cert, transportCert, productionSigningCert, productionTransportCert]) {
      const certificate = new X509Certificate(await readFile(file, 'utf8'));
      const [from, to] = [Date.parse(certificate.validFrom), Date.parse(certificate.validTo)];
      expect(to - from, file).toBe(CLIENT_CERTIFICATE_DAYS * 86_400_000);
      expect(from).toBeLessThan(Date.now());
    }
    expect(CLIENT_CERTIFICATE_DAYS).toBe(350);
  });

  it('started within budget (fresh folder, first start in this process)', () => {
    console.info(`sandbox start in a fresh folder: ${Math.round(startupMs)} ms`);
    expect(startupMs).toBeLessThan(5000);
  });

  it('generates new material on request instead of copying the cached one', async () => {
    const fresh = await startSandbox({ reuseCachedMaterial: false, quiet: true });
    try {
      expect(fresh.organisationId).not.toBe(sandbox.organisationId);
      expect((await requestToken(fresh, { method: 'private_key_jwt', mtls: true })).status).toBe(200);
    } finally {
      await fresh.close();
    }
    await expect(access(fresh.dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reuses the material in a folder, starts in about a second, and leaves no listener after close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'golive-sandbox-reuse-'));
    const first = await startSandbox({ dir, quiet: true });
    await first.close();
    const started = performance.now();
    const again = await startSandbox({ dir: first.dir, quiet: true });
    const ms = performance.now() - started;
    console.info(`sandbox restart on a reused folder: ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(1500);
    expect(again.organisationId).toBe(first.organisationId);
    expect(again.configs['private_key_jwt-tls']).toBe(first.configs['private_key_jwt-tls']);
    const ports = Object.values(again.endpoints).map((url) => Number(new URL(url).port));
    await again.close();
    for (const port of ports) {
      await expect(
        new Promise((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.destroy();
            resolve('connected');
          });
          socket.on('error', reject);
        }),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
    await rm(dir, { recursive: true });
  });
});

describe('runSandboxCommand', () => {
  it('prints endpoints, configs and the check command, and shuts down on abort', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk) => (printed += String(chunk)));
    const controller = new AbortController();
    const dir = await mkdtemp(join(tmpdir(), 'golive-sandbox-cmd-'));
    const running = runSandboxCommand({ dir, faults: ['jwks-500'], out, signal: controller.signal });
    await expect.poll(() => printed, { timeout: 10_000 }).toContain('Ctrl-C');
    expect(printed).toContain('golive check --env-file');
    expect(printed).toContain('private_key_jwt-mtls');
    expect(printed).toContain('jwks-500');
    controller.abort();
    await running;
    expect(printed).toContain('stopped');
    await rm(dir, { recursive: true });
  });

  it('rejects an unknown fault name, listing the known ones', async () => {
    await expect(runSandboxCommand({ faults: ['no-such-fault'], out: new PassThrough() })).rejects.toBeInstanceOf(UnknownFaultError);
  });
});
