import { chmodSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import networkTokenEndpoint from '../../checks/network.token-endpoint.js';
import { loadCertificate } from '../../src/credentials/certificates.js';
import { loadPrivateKey } from '../../src/credentials/keys.js';
import type { KeyPair } from '../../src/credentials/types.js';
import { issueCertificate, loadIssuer } from '../../src/sandbox/pki.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import {
  configVariant,
  runOnline,
  sandboxEnv,
  sandboxServerCertificate,
  startConnectProxy,
  startPlainHttpServer,
  startSilentServer,
  startTlsServer,
  type Listening,
} from '../support/online.js';
import { onlineContext, resolvedConfig } from '../support/resolved-config.js';

let sandbox: Sandbox;
const servers: Listening[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await sandbox?.close();
});

async function serve<T extends Listening>(started: Promise<T>): Promise<T> {
  const server = await started;
  servers.push(server);
  return server;
}

/** A config whose token endpoint is `token` (other endpoints stay the sandbox's). */
function withToken(token: string, base = 'client_secret_post-tls'): string {
  return configVariant(sandbox.configs[base]!, { endpoints: { token } });
}

async function tokenEndpoint(config: string, env = sandboxEnv(sandbox), options = {}, extra = {}) {
  return (await runOnline(config, env, { only: ['network.token-endpoint'], ...options }, extra))['network.token-endpoint']!;
}

describe('network.token-endpoint', () => {
  it.each(['client_secret_post-tls', 'private_key_jwt-tls', 'client_secret_basic-mtls', 'private_key_jwt-mtls'])(
    'passes on the sandbox (%s), with TLS facts in the evidence',
    async (name) => {
      const result = await tokenEndpoint(sandbox.configs[name]!);
      expect(result.status).toBe('pass');
      expect(result.evidence).toMatchObject({
        host: '127.0.0.1',
        tlsVersion: expect.stringMatching(/^TLSv1\.[23]$/),
        serverCertificate: { issuer: expect.stringMatching(/Thredd Sandbox Issuing CA/), fingerprintSha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) },
        httpStatus: expect.any(Number),
        serverDate: expect.any(String),
        clientCertificate: name.endsWith('mtls'),
        clientCertificateRequested: name.endsWith('mtls'),
      });
      const requested = name.endsWith('mtls') ? 'requested' : 'did not request';
      expect(result.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+ answered over TLSv1\\.[23] \\(HTTP \\d{3}\\) and ${requested} a client certificate\\.$`));
    },
  );

  it('fails at DNS when the host does not resolve, naming the host', async () => {
    const lookup = async (host: string) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    };
    const result = await tokenEndpoint(withToken('https://threddid.invalid/oauth2/token'), sandboxEnv(sandbox), {}, { lookup });
    expect(result.status).toBe('fail');
    expect(result.message).toBe('DNS: threddid.invalid does not resolve (ENOTFOUND); the token host cannot be reached.');
    expect(result.hint).toMatch(/spelling of endpoints\.token/);
    expect(result.code).toBe('dns');
    expect(result.evidence).toMatchObject({ layer: 'dns', code: 'ENOTFOUND', step: 'dns' });
  });

  it('fails at TCP when nothing listens, and says so', async () => {
    const closed = await startSilentServer();
    await closed.close();
    const result = await tokenEndpoint(withToken(`https://127.0.0.1:${closed.port}/oauth2/token`));
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(new RegExp(`^TCP: token host 127\\.0\\.0\\.1:${closed.port}: the connection was refused .*\\(ECONNREFUSED\\)`));
    expect(result.hint).toMatch(/firewall/);
    expect(result.code).toBe('tcp');
    expect(result.evidence).toMatchObject({ layer: 'tcp', code: 'ECONNREFUSED' });
  });

  it('fails within the timeout when the server never completes the handshake', async () => {
    const silent = await serve(startSilentServer());
    const started = performance.now();
    const result = await tokenEndpoint(withToken(`${silent.url}/oauth2/token`), sandboxEnv(sandbox), { timeoutMs: 500 });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/^TLS: token host 127\.0\.0\.1:\d+: the server accepted the connection but did not complete the TLS handshake within 500 ms \(GOLIVE_TIMEOUT\)\.$/);
    expect(result.code).toBe('timeout');
    expect(result.evidence).toMatchObject({ layer: 'timeout', step: 'tls' });
  });

  it('fails when the port speaks plain http, not TLS', async () => {
    const plain = await serve(startPlainHttpServer());
    const result = await tokenEndpoint(withToken(`${plain.url}/oauth2/token`));
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/did not answer with TLS \(is it plain http on this port\?\)/);
    expect(result.code).toBe('tls-other');
    expect(result.evidence).toMatchObject({ layer: 'tls', code: 'ERR_SSL_WRONG_VERSION_NUMBER' });
  });

  it('fails on an untrusted server certificate, naming its issuer and fingerprint, never suggesting to disable verification', async () => {
    sandbox.setFaults(['untrusted-server-certificate']);
    try {
      const result = await tokenEndpoint(sandbox.configs['client_secret_post-tls']!);
      expect(result.status).toBe('fail');
      expect(result.message).toMatch(/^TLS: token host 127\.0\.0\.1:\d+: the server certificate is not trusted/);
      expect(result.message).toMatch(/issued by "[^"]+" \(SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}\)/);
      expect(result.hint).toMatch(/add its CA certificate \(PEM\) to http\.ca\. Never turn certificate verification off/);
      expect(result.code).toBe('tls-untrusted');
      expect(result.evidence).toMatchObject({ layer: 'tls-trust', presentedCertificate: { fingerprintSha256: expect.any(String) } });
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('names a TLS-intercepting proxy as the likely cause when HTTPS_PROXY is set', async () => {
    sandbox.setFaults(['untrusted-server-certificate']);
    try {
      const env = sandboxEnv(sandbox, { HTTPS_PROXY: 'http://proxy.corp.example:3128', NO_PROXY: '127.0.0.1' });
      const result = await tokenEndpoint(sandbox.configs['client_secret_post-tls']!, env);
      expect(result.status).toBe('fail');
      expect(result.code).toBe('tls-untrusted');
      expect(result.hint).toMatch(/TLS-intercepting proxy is the likely cause: add its CA certificate \(PEM\) to http\.ca/);
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('fails on a hostname mismatch, showing the names the certificate holds', async () => {
    sandbox.setFaults(['hostname-mismatch']);
    try {
      const result = await tokenEndpoint(sandbox.configs['client_secret_post-tls']!);
      expect(result.status).toBe('fail');
      expect(result.message).toMatch(/^TLS: token host 127\.0\.0\.1:\d+: the certificate does not name 127\.0\.0\.1; it names DNS:sandbox\.invalid/);
      expect(result.hint).toMatch(/Check endpoints\.token/);
      expect(result.code).toBe('tls-hostname');
      expect(result.evidence).toMatchObject({ layer: 'tls-hostname', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('fails on an expired server certificate, with its validity', async () => {
    const issuer = await loadIssuer(sandbox.ca.cert, sandbox.ca.key);
    const expired = await issueCertificate({
      subject: 'CN=expired.local',
      issuer,
      key: { kind: 'ec' },
      ipAddresses: ['127.0.0.1'],
      extKeyUsage: ['serverAuth'],
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const server = await serve(startTlsServer({ cert: expired.certPem, key: expired.keyPem }));
    const result = await tokenEndpoint(withToken(`${server.url}/oauth2/token`));
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/the server certificate has expired \(CERT_HAS_EXPIRED\); it is valid from .* to /);
    expect(result.hint).toMatch(/clock/);
    expect(result.code).toBe('tls-expired');
  });

  it('fails when a TLS host demands a client certificate, naming the TLS alert', async () => {
    sandbox.setFaults(['mtls-cert-required']);
    try {
      const result = await tokenEndpoint(sandbox.configs['client_secret_post-tls']!);
      expect(result.status).toBe('fail');
      expect(result.message).toMatch(/^mTLS: token host 127\.0\.0\.1:\d+ refused the client certificate: certificate required \(alert 116\)/);
      expect(result.hint).toMatch(/set connectivity: mtls and add the transport section/);
      expect(result.code).toBe('client-certificate-refused');
      expect(result.evidence).toMatchObject({ layer: 'tls-client-certificate', tlsAlert: 116 });
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('fails when the mTLS host rejects a client certificate from an unknown CA', async () => {
    const stranger = await issueCertificate({ subject: 'CN=stranger', key: { kind: 'ec' }, extKeyUsage: ['clientAuth'] });
    const dir = sandbox.dir;
    writeFileSync(`${dir}/stranger.pem`, stranger.certPem);
    writeFileSync(`${dir}/stranger.key`, stranger.keyPem);
    chmodSync(`${dir}/stranger.key`, 0o600);
    const config = configVariant(sandbox.configs['client_secret_post-mtls']!, {
      transport: { certificate: 'stranger.pem', privateKey: 'stranger.key' },
    });
    const result = await tokenEndpoint(config);
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/refused the client certificate: (unknown CA \(alert 48\)|bad certificate \(alert 42\)|certificate unknown \(alert 46\)|the server closed the connection right after the handshake)/);
    expect(result.hint).toMatch(/transport\.certificate is the certificate registered for mTLS/);
    expect(result.code).toBe('client-certificate-refused');
  });

  it('goes through HTTPS_PROXY with a CONNECT tunnel, and names the proxy', async () => {
    const proxy = await serve(startConnectProxy());
    const env = sandboxEnv(sandbox, { HTTPS_PROXY: `http://user:pw@127.0.0.1:${proxy.port}` });
    const result = await tokenEndpoint(sandbox.configs['client_secret_post-tls']!, env);
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({ proxy: `http://127.0.0.1:${proxy.port}`, proxyVariables: ['HTTPS_PROXY'] });
    expect(JSON.stringify(result)).not.toContain('user:pw');
    expect(proxy.tunnels.length).toBeGreaterThan(0);
  });

  it('fails at the proxy when it refuses the tunnel', async () => {
    const proxy = await serve(startConnectProxy({ refuse: true }));
    const env = sandboxEnv(sandbox, { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` });
    const result = await tokenEndpoint(sandbox.configs['client_secret_post-tls']!, env);
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/^Proxy: the proxy at 127\.0\.0\.1:\d+ refused the tunnel: it answered 403 Forbidden to CONNECT 127\.0\.0\.1:\d+, so the token host 127\.0\.0\.1:\d+ cannot be reached \(GOLIVE_PROXY\)\.$/);
    expect(result.hint).toMatch(/^Check HTTPS_PROXY \(http:\/\/127\.0\.0\.1:\d+\): .*allow CONNECT to 127\.0\.0\.1:\d+; .*add 127\.0\.0\.1 to NO_PROXY\.$/);
    expect(result.code).toBe('proxy');
  });

  it('skips with --offline', async () => {
    const result = await tokenEndpoint(sandbox.configs['client_secret_post-tls']!, sandboxEnv(sandbox), { offline: true });
    expect(result).toMatchObject({ status: 'skip', message: '--offline: network checks not run' });
  });
});

describe('network.token-endpoint: whether the server requested a client certificate', () => {
  const notRequested = {
    status: 'warn',
    code: 'client-certificate-not-requested',
    message: expect.stringMatching(
      /^mTLS: token host 127\.0\.0\.1:\d+ completed the TLS handshake without requesting a client certificate, so the transport certificate was not sent\.$/,
    ),
    hint:
      "Either this is not the platform's mTLS token host, or a TLS-terminating proxy or load balancer sits in front of it: tokens cannot be bound to the transport certificate, and the mTLS API will refuse them. Point endpoints.token at the platform's mTLS token endpoint; if it already does, have the proxy or load balancer pass TLS through to it.",
    evidence: { clientCertificate: true, clientCertificateRequested: false, tlsVersion: expect.any(String), httpStatus: expect.any(Number) },
  };

  it.each(['client_secret_basic-mtls', 'private_key_jwt-mtls'])('warns when the mTLS host never asks for one (%s)', async (name) => {
    sandbox.setFaults(['mtls-cert-not-requested']);
    try {
      expect(await tokenEndpoint(sandbox.configs[name]!)).toMatchObject(notRequested);
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('warns the same through an HTTPS_PROXY tunnel, and passes through it when the host asks', async () => {
    const proxy = await serve(startConnectProxy());
    const env = sandboxEnv(sandbox, { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` });
    const asked = await tokenEndpoint(sandbox.configs['client_secret_basic-mtls']!, env);
    expect(asked).toMatchObject({ status: 'pass', evidence: { proxy: `http://127.0.0.1:${proxy.port}`, clientCertificateRequested: true } });
    expect(asked.message).toMatch(/ via proxy http:\/\/127\.0\.0\.1:\d+ \(HTTP \d{3}\) and requested a client certificate\.$/);
    sandbox.setFaults(['mtls-cert-not-requested']);
    try {
      expect(await tokenEndpoint(sandbox.configs['client_secret_basic-mtls']!, env)).toMatchObject({
        ...notRequested,
        evidence: { ...notRequested.evidence, proxy: `http://127.0.0.1:${proxy.port}` },
      });
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('only reports the fact on a TLS config, whether or not the host asks', async () => {
    const server = await serve(startTlsServer({ ...(await sandboxServerCertificate(sandbox, 'CN=asks.local')), requestCert: true }));
    const asked = await tokenEndpoint(withToken(`${server.url}/oauth2/token`));
    expect(asked).toMatchObject({ status: 'pass', evidence: { clientCertificate: false, clientCertificateRequested: true } });
    expect(asked.message).toMatch(/\(HTTP 200\) and requested a client certificate\.$/);
    sandbox.setFaults(['mtls-cert-not-requested']);
    try {
      const plain = await tokenEndpoint(sandbox.configs['client_secret_post-tls']!);
      expect(plain).toMatchObject({ status: 'pass', evidence: { clientCertificate: false, clientCertificateRequested: false } });
      expect(plain.message).toMatch(/and did not request a client certificate\.$/);
    } finally {
      sandbox.setFaults([]);
    }
  });
});

describe('network.token-endpoint on mTLS: the client certificate is the one transport.keypair loaded', () => {
  /** An mTLS config for the sandbox whose transport files do not exist: the check can present only what it is handed. */
  function withoutTransportFiles() {
    return resolvedConfig(sandbox.dir, {
      connectivity: 'mtls',
      transport: { certificate: 'nowhere/transport.pem', privateKey: 'nowhere/transport.key' },
      endpoints: { token: sandbox.endpoints.tokenMtls, jwks: sandbox.endpoints.jwks, api: sandbox.endpoints.apiMtls },
      http: { timeoutMs: 5_000, jwksMaxBytes: 1_000_000, ca: sandbox.caFile },
    });
  }

  async function sandboxTransportPair(): Promise<KeyPair> {
    const [key, certificate] = await Promise.all([loadPrivateKey(sandbox.files.transportKey), loadCertificate(sandbox.files.transportCert)]);
    if (!key.ok || !certificate.ok) throw new Error('the sandbox transport credentials do not load');
    return { key: key.value, certificate: certificate.value };
  }

  it('presents the key pair transport.keypair passed on, reading no transport file itself', async () => {
    const result = await networkTokenEndpoint.run(
      onlineContext(),
      { 'config.consistency': withoutTransportFiles() },
      { 'transport.keypair': { status: 'pass', output: await sandboxTransportPair() } },
    );
    expect(result.status, result.message).toBe('pass');
    expect(result.evidence).toMatchObject({ clientCertificate: true, httpStatus: expect.any(Number) });
    expect(result.output?.material.clientCertificate?.cert).toContain('BEGIN CERTIFICATE');
  });

  it.each([
    {
      why: 'transport.keypair failed',
      transport: { status: 'fail', code: 'key-mismatch', output: undefined },
      problem: 'the transport key does not belong to the transport certificate (see transport.keypair)',
    },
    {
      why: 'the transport checks were skipped by --skip',
      transport: { status: 'skip', skipReason: 'not-selected', output: undefined },
      problem: 'the transport checks were skipped (--skip), so none was loaded',
    },
  ] as const)('when $why, connects without a certificate and says why if the host lets it in', async ({ transport, problem }) => {
    sandbox.setFaults(['mtls-cert-not-requested']);
    try {
      const result = await networkTokenEndpoint.run(onlineContext(), { 'config.consistency': withoutTransportFiles() }, { 'transport.keypair': transport });
      expect(result).toMatchObject({
        status: 'warn',
        code: 'no-client-certificate',
        message: `token host 127.0.0.1 accepted the connection, but without a client certificate: ${problem}.`,
        hint: 'Fix the transport credentials first; mTLS calls will fail without them.',
      });
      expect(result.output?.material.clientCertificate).toBeUndefined();
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('when the transport key does not load, both hosts are reached without a certificate and say why', async () => {
    writeFileSync(`${sandbox.dir}/broken-transport.key`, 'not a key\n');
    chmodSync(`${sandbox.dir}/broken-transport.key`, 0o600);
    const config = configVariant(sandbox.configs['client_secret_post-mtls']!, { transport: { privateKey: 'broken-transport.key' } });
    const refused = await runOnline(config, sandboxEnv(sandbox), { only: ['network.token-endpoint'] });
    expect(refused['transport.key']!.status).toBe('fail');
    expect(refused['transport.keypair']!.status).toBe('skip');
    expect(refused['network.token-endpoint']).toMatchObject({ status: 'fail', code: 'client-certificate-refused' });
    expect(refused['network.token-endpoint']!.message).toMatch(
      /^mTLS: token host 127\.0\.0\.1:\d+ refused the client certificate: .* Note: the transport certificate or key does not load \(see transport\.key and transport\.certificate\)\.$/,
    );

    sandbox.setFaults(['mtls-cert-not-requested']);
    try {
      const accepted = await runOnline(config, sandboxEnv(sandbox), { only: ['network'] });
      for (const [id, role] of [['network.token-endpoint', 'token host'], ['network.api-endpoint', 'API host']] as const) {
        expect(accepted[id]).toMatchObject({
          status: 'warn',
          code: 'no-client-certificate',
          message: `${role} 127.0.0.1 accepted the connection, but without a client certificate: the transport certificate or key does not load (see transport.key and transport.certificate).`,
          hint: 'Fix the transport credentials first; mTLS calls will fail without them.',
        });
      }
    } finally {
      sandbox.setFaults([]);
    }
  });
});
