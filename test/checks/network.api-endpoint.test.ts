import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
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
    expect(result.evidence).toMatchObject({ url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), httpStatus: expect.any(Number) });
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
