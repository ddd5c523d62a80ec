import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configVariant, runOnline, sandboxEnv, sandboxServerCertificate, startTlsServer, type Listening } from '../support/online.js';

let sandbox: Sandbox;
let serverCert: { cert: string; key: string };
const servers: Listening[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
  serverCert = await sandboxServerCertificate(sandbox, 'CN=clock.local');
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await sandbox?.close();
});

/** The clock check against a token host whose Date header is `offsetSeconds` off, or absent. */
async function skewAgainst(date: () => string | undefined) {
  const server = await startTlsServer({ ...serverCert, date });
  servers.push(server);
  const config = configVariant(sandbox.configs['client_secret_post-tls']!, { endpoints: { token: `${server.url}/oauth2/token` } });
  const results = await runOnline(config, sandboxEnv(sandbox), { only: ['clock.skew'] });
  expect(results['network.token-endpoint']).toMatchObject({ status: 'pass' });
  return results['clock.skew']!;
}

const offset = (seconds: number) => () => new Date(Date.now() + seconds * 1000).toUTCString();

describe('clock.skew', () => {
  it('passes against the sandbox, reporting the skew', async () => {
    const result = (await runOnline(sandbox.configs['client_secret_post-tls']!, sandboxEnv(sandbox), { only: ['clock.skew'] }))['clock.skew']!;
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({ serverDate: expect.any(String), skewMs: expect.any(Number) });
    expect(Math.abs(result.evidence!.skewMs as number)).toBeLessThan(2000);
  });

  it('warns over 30 s, saying which way', async () => {
    const result = await skewAgainst(offset(-45));
    expect(result).toMatchObject({ status: 'warn', code: 'clock-skew' });
    expect(result.message).toMatch(/^This machine's clock is 4[4-6] s ahead of the token host's/);
    expect(result.hint).toMatch(/NTP/);
  });

  it('fails beyond the assertion lifetime (the sandbox clock-offset fault)', async () => {
    sandbox.setFaults(['clock-offset']);
    try {
      const result = (await runOnline(sandbox.configs['client_secret_post-tls']!, sandboxEnv(sandbox), { only: ['clock.skew'] }))['clock.skew']!;
      expect(result).toMatchObject({ status: 'fail', code: 'clock-skew-too-large' });
      expect(result.message).toMatch(/^This machine's clock is (599|600|601) s behind the token host's .* assertions live at most 300 s/);
      expect(result.hint).toMatch(/timedatectl set-ntp true/);
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('skips, saying why, when the server sends no Date header', async () => {
    const result = await skewAgainst(() => undefined);
    expect(result).toMatchObject({ status: 'skip', skipReason: 'not-applicable', message: expect.stringMatching(/sent no usable Date header/) });
  });

  it('puts the skew in the report host section', async () => {
    const { checkConfigs } = await import('../../src/check-run.js');
    const { DEFAULT_OPTIONS } = await import('../../src/pipeline/context.js');
    const { report } = await checkConfigs({
      configs: [sandbox.configs['client_secret_post-tls']!],
      options: { ...DEFAULT_OPTIONS, only: ['clock.skew'] },
      env: sandboxEnv(sandbox),
    });
    expect(report.host.clockSkewMs).toEqual(expect.any(Number));
  });
});
