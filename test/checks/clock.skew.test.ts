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

/** The clock check of a sandbox config against a token host whose Date header is `date()`, or absent. */
async function skewAgainst(date: () => string | undefined, configName = 'client_secret_post-tls') {
  const server = await startTlsServer({ ...serverCert, date });
  servers.push(server);
  const config = configVariant(sandbox.configs[configName]!, { endpoints: { token: `${server.url}/oauth2/token` } });
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

  // The sandbox clock-offset fault: the token host 600 s ahead of this machine.
  it.each([
    [
      "private_key_jwt fails: golive's assertions expire before they arrive",
      'private_key_jwt-tls',
      'fail',
      'clock-skew-too-large',
      /^This machine's clock is (59\d|60[01]) s behind the token host's \(.* GMT\): the client assertions golive sends live 120 s, so by the server's clock they have expired before they arrive\.$/,
    ],
    [
      'a client_secret_* client, which sends no assertion, only warns',
      'client_secret_post-tls',
      'warn',
      'clock-skew',
      /^This machine's clock is (59\d|60[01]) s behind the token host's \(.* GMT\)\. A client_secret_post client sends no client assertion, so its token request does not depend on the clock\.$/,
    ],
  ] as const)('clock-offset: %s', async (_name, config, status, code, message) => {
    sandbox.setFaults(['clock-offset']);
    try {
      const result = (await runOnline(sandbox.configs[config]!, sandboxEnv(sandbox), { only: ['clock.skew'] }))['clock.skew']!;
      expect(result).toMatchObject({ status, code });
      expect(result.message).toMatch(message);
      expect(result.hint).toMatch(/NTP/);
    } finally {
      sandbox.setFaults([]);
    }
  });

  // golive's assertions live 120 s; the platform accepts an exp at most 300 s ahead of its clock.
  it.each([
    ['100 s behind: the assertion still arrives valid', 100, 'warn', 'clock-skew', /^This machine's clock is (9[89]|10[012]) s behind the token host's \(.*\): the client assertions golive sends live 120 s, so they arrive with about (1[89]|2[012]) s left by the server's clock\.$/],
    ['130 s behind: expired on arrival', 130, 'fail', 'clock-skew-too-large', /^This machine's clock is (12[89]|13[012]) s behind .*: the client assertions golive sends live 120 s, so by the server's clock they have expired before they arrive\.$/],
    ['160 s ahead: issued in the future, exp within the limit', -160, 'warn', 'clock-skew', /^This machine's clock is (15[89]|16[012]) s ahead of the token host's \(.*\): by the server's clock the client assertions golive sends are issued (15[89]|16[012]) s in the future, which a strict platform refuses\.$/],
    ['200 s ahead: exp beyond the platform limit', -200, 'fail', 'clock-skew-too-large', /^This machine's clock is (19[89]|20[012]) s ahead .*: by the server's clock the client assertions golive sends expire (31[89]|32[012]) s ahead \(they live 120 s\), beyond the 300 s the platform accepts\.$/],
  ] as const)('private_key_jwt, %s', async (_name, serverAheadSeconds, status, code, message) => {
    const result = await skewAgainst(offset(serverAheadSeconds), 'private_key_jwt-tls');
    expect(result).toMatchObject({ status, code });
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(/NTP/);
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
