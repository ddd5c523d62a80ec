import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { CLI, golive } from '../support/cli.js';
import { startHostileProxy, type HostileProxy, type ProxyBehaviour } from '../support/hostile-proxy.js';

// End-to-end: behind a proxy that accepts connections and then says
// nothing, `golive check --timeout 1000` writes its report and exits. Before,
// jwks.fetch waited 300 s for the proxy and `--only network.token-endpoint`
// printed its report and never exited (the probe's socket kept it alive).

/** Every endpoint is reached only through the proxy: nothing listens on port 9. */
const CONFIG = `profile: custom
environment: uat
connectivity: tls
region: 0
organisationId: org-1234
client:
  id: 6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11
  authMethod: client_secret_post
  secret: "\${GOLIVE_TEST_CLIENT_SECRET}"
endpoints:
  token: https://127.0.0.1:9/oauth2/token
  jwks: http://127.0.0.1:9/{organisationId}/jwks.json
  api: https://127.0.0.1:9
`;

/** Far below a hang (the helper kills the process at 60 s), generous for a CLI start on a loaded 2-core machine. */
const BOUND_MS = 12_000;

let dir: string;
const proxies = new Map<ProxyBehaviour, HostileProxy>();

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsup --out-dir dist-…, GOLIVE_DIST=dist-…)`);
  dir = await mkdtemp(path.join(tmpdir(), 'golive-proxy-exit-'));
  await writeFile(path.join(dir, 'golive.yaml'), CONFIG);
  for (const behaviour of ['silent', 'connect-then-silent'] as const) proxies.set(behaviour, await startHostileProxy(behaviour));
});
afterAll(async () => {
  await Promise.all([...proxies.values()].map((proxy) => proxy.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('golive check behind a proxy that never answers exits with its report written', () => {
  it.each([
    ['silent', [], /accepted the connection but did not answer the CONNECT within 1000 ms/],
    ['silent', ['--only', 'network.token-endpoint'], /accepted the connection but did not answer the CONNECT within 1000 ms/],
    ['connect-then-silent', [], /answered the CONNECT, but the TLS handshake through its tunnel did not complete within 1000 ms/],
    ['connect-then-silent', ['--only', 'network.token-endpoint'], /answered the CONNECT, but the TLS handshake through its tunnel did not complete within 1000 ms/],
  ] as const)('%s proxy, check %j', async (behaviour, extra, said) => {
    const proxy = proxies.get(behaviour)!;
    const report = path.join(dir, `report-${behaviour}-${extra.length}.json`);
    const started = performance.now();
    const result = await golive(['check', 'golive.yaml', '--timeout', '1000', '--json', report, ...extra], dir, {
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      GOLIVE_TEST_CLIENT_SECRET: 'not-a-real-secret',
    });
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).toBe(1);
    const written = JSON.parse(await readFile(report, 'utf8')) as Report;
    const checks = Object.fromEntries(written.runs[0]!.checks.map((check) => [check.id, check]));
    const token = checks['network.token-endpoint']!;
    expect(token.status).toBe('fail');
    expect(token.message).toMatch(said);
    expect(token.hint).toMatch(/HTTPS_PROXY.*NO_PROXY/);
    expect(result.stdout).toContain(token.message);
    if (extra.length === 0) {
      expect(checks['network.api-endpoint']).toMatchObject({ status: 'fail', evidence: { layer: 'timeout' } });
      // A client_secret_* client does not depend on the JWKS: its fetch failing warns.
      expect(checks['jwks.fetch']).toMatchObject({ status: 'warn', evidence: { layer: 'timeout' } });
      expect(checks['jwks.fetch']!.hint).toMatch(/HTTP_PROXY.*NO_PROXY/);
    }
  });
});

describe('golive exits once its report is written', () => {
  it('even when something else in the process still holds a socket open', async () => {
    // A listening socket opened before golive starts, as a leaked connection or a library's handle would be.
    const leak = "--import=data:text/javascript,import('node:net').then((net)=>net.createServer().listen(0,'127.0.0.1'))";
    const report = path.join(dir, 'offline.json');
    const started = performance.now();
    const result = await golive(['check', 'golive.yaml', '--offline', '--json', report], dir, {
      NODE_OPTIONS: leak,
      GOLIVE_TEST_CLIENT_SECRET: 'not-a-real-secret',
    });
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/config\.parse/);
    expect((JSON.parse(await readFile(report, 'utf8')) as Report).status).toBe('pass');
  });
});
