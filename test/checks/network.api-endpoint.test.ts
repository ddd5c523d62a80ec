import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import networkApiEndpoint from '../../checks/network.api-endpoint.js';
import { loadCertificate } from '../../src/credentials/certificates.js';
import { loadPrivateKey } from '../../src/credentials/keys.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { onlineContext, resolvedConfig } from '../support/resolved-config.js';
import { configVariant, runOnline, sandboxEnv, startSilentServer } from '../support/online.js';

// The API host is probed by the same code as the token host (checks/network-checks.ts,
// covered layer by layer in network.token-endpoint.test.ts); these cases prove the
// check probes the API endpoint, with the API's own wording.
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
});
afterAll(async () => {
  await sandbox?.close();
});

async function apiEndpoint(config: string) {
  return (await runOnline(config, sandboxEnv(sandbox), { only: ['network.api-endpoint'] }))['network.api-endpoint']!;
}

describe('network.api-endpoint', () => {
  it.each(['client_secret_post-tls', 'private_key_jwt-mtls'])('passes on the sandbox API host (%s)', async (name) => {
    const result = await apiEndpoint(sandbox.configs[name]!);
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({
      url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      httpStatus: expect.any(Number),
      clientCertificateRequested: name.endsWith('mtls'),
    });
  });

  describe('warns when the mTLS API host never asks for a client certificate', () => {
    const message = /^mTLS: API host 127\.0\.0\.1:\d+ completed the TLS handshake without requesting a client certificate, so the transport certificate was not sent\.$/;
    const why =
      "Either this is not the platform's mTLS API host, or a TLS-terminating proxy or load balancer sits in front of it: tokens cannot be bound to the transport certificate, and the mTLS API will refuse them.";

    it('on a custom profile', async () => {
      sandbox.setFaults(['mtls-cert-not-requested']);
      try {
        const result = await apiEndpoint(sandbox.configs['private_key_jwt-mtls']!);
        expect(result).toMatchObject({ status: 'warn', code: 'client-certificate-not-requested', evidence: { clientCertificate: true, clientCertificateRequested: false } });
        expect(result.message).toMatch(message);
        expect(result.hint).toBe(`${why} Point endpoints.api at the platform's mTLS API host; if it already does, have the proxy or load balancer pass TLS through to it.`);
      } finally {
        sandbox.setFaults([]);
      }
    });

    it('on the thredd profile, naming the mTLS API host of the environment', async () => {
      const [key, certificate] = await Promise.all([loadPrivateKey(sandbox.files.transportKey), loadCertificate(sandbox.files.transportCert)]);
      if (!key.ok || !certificate.ok) throw new Error('the sandbox transport credentials do not load');
      const config = resolvedConfig(sandbox.dir, {
        environment: 'production',
        connectivity: 'mtls',
        transport: { certificate: sandbox.files.transportCert, privateKey: sandbox.files.transportKey },
        endpoints: { token: sandbox.endpoints.tokenMtls, jwks: sandbox.endpoints.jwks, api: sandbox.endpoints.apiMtls },
        http: { timeoutMs: 5_000, jwksMaxBytes: 1_000_000, ca: sandbox.caFile },
      });
      sandbox.setFaults(['mtls-cert-not-requested']);
      try {
        const result = await networkApiEndpoint.run(
          onlineContext(),
          { 'config.consistency': config },
          { 'transport.keypair': { status: 'pass', output: { key: key.value, certificate: certificate.value } } },
        );
        expect(result).toMatchObject({ status: 'warn', code: 'client-certificate-not-requested', evidence: { clientCertificateRequested: false } });
        expect(result.message).toMatch(message);
        expect(result.hint).toBe(
          `${why} Point endpoints.api at the platform's mTLS API host (https://mtls.thredd.com); if it already does, have the proxy or load balancer pass TLS through to it.`,
        );
      } finally {
        sandbox.setFaults([]);
      }
    });
  });

  it('fails naming the API host and endpoints.api when nothing listens', async () => {
    const closed = await startSilentServer();
    await closed.close();
    const result = await apiEndpoint(configVariant(sandbox.configs['client_secret_post-tls']!, { endpoints: { api: closed.url } }));
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(new RegExp(`^TCP: API host 127\\.0\\.0\\.1:${closed.port}: the connection was refused`));
    expect(result.hint).toMatch(/outbound HTTPS to 127\.0\.0\.1/);
    expect(result.code).toBe('tcp');
  });

  it('fails when the mTLS API host gets no client certificate', async () => {
    sandbox.setFaults(['mtls-cert-required']);
    try {
      const result = await apiEndpoint(sandbox.configs['client_secret_post-tls']!);
      expect(result.status).toBe('fail');
      expect(result.message).toMatch(/^mTLS: API host 127\.0\.0\.1:\d+ refused the client certificate: certificate required \(alert 116\)/);
      expect(result.hint).toMatch(/use the TLS host for endpoints\.api/);
      expect(result.code).toBe('client-certificate-refused');
    } finally {
      sandbox.setFaults([]);
    }
  });
});
