import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import jwksFetch from '../../checks/jwks.fetch.js';
import { checkConfigs } from '../../src/check-run.js';
import { parseEnvFile } from '../../src/config/interpolate.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { loadCertificate } from '../../src/credentials/certificates.js';
import { loadPrivateKey } from '../../src/credentials/keys.js';
import type { KeyPair } from '../../src/credentials/types.js';
import { createHttpSession } from '../../src/net/http.js';
import type { JwksOutput } from '../../src/jwks/unread.js';
import type { FetchedJwks, PublishedJwk } from '../../src/online/types.js';
import type { CheckOutcome } from '../../src/pipeline/check.js';
import { DEFAULT_OPTIONS, type RunContext } from '../../src/pipeline/context.js';
import type { CheckReport } from '../../src/report/types.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { expectFindingFields } from './report-invariants.js';
import { resolvedConfig, type ResolvedOverrides } from './resolved-config.js';

/** A key pair from a certificate and key file, as signing.keypair hands it on. */
export async function keyPairOf(certificateFile: string, keyFile: string): Promise<KeyPair> {
  const [key, certificate] = await Promise.all([loadPrivateKey(keyFile), loadCertificate(certificateFile)]);
  if (!key.ok || !certificate.ok) throw new Error(`fixture did not load: ${certificateFile}, ${keyFile}`);
  return { key: key.value, certificate: certificate.value };
}

/** An online run context with a real HTTP session (close it with `ctx.http.close()`). */
export function onlineContext(timeoutMs = 5_000): RunContext {
  return { configPath: 'golive.yaml', env: {}, options: { ...DEFAULT_OPTIONS, timeoutMs }, now: () => Date.now(), http: createHttpSession({}) };
}

/** A resolved private_key_jwt config whose JWKS URL is `jwks`. */
export function configWithJwks(jwks: string, overrides: ResolvedOverrides = {}): ResolvedConfig {
  const base = resolvedConfig(tmpdir(), { signing: { algorithm: 'PS256' }, ...overrides });
  return { ...base, endpoints: { ...base.endpoints, jwks }, http: { ...base.http, ...overrides.http } };
}

/** Runs jwks.fetch alone against `url`, timing it. */
export async function fetchJwks(
  url: string,
  options: { timeoutMs?: number; jwksMaxBytes?: number } = {},
): Promise<CheckOutcome<JwksOutput> & { elapsedMs: number }> {
  const ctx = onlineContext(options.timeoutMs);
  const config = configWithJwks(url, { http: { timeoutMs: 10_000, jwksMaxBytes: options.jwksMaxBytes ?? 1_048_576 } });
  const started = performance.now();
  try {
    const outcome = await jwksFetch.run(ctx, { 'config.consistency': config });
    return { ...outcome, elapsedMs: performance.now() - started };
  } finally {
    await ctx.http.close();
  }
}

/** What jwks.fetch would hand on for these keys. */
export function fetchedJwks(keys: PublishedJwk[], config: ResolvedConfig = configWithJwks('http://127.0.0.1:9/org/jwks.json')): FetchedJwks {
  return {
    url: config.endpoints.jwks,
    keys,
    kids: keys.flatMap((key) => (typeof key.kid === 'string' ? [key.kid] : [])),
    bytes: JSON.stringify({ keys }).length,
    contentType: 'application/json',
    fetchMs: 1,
    config,
  };
}

/** Runs `golive check --only jwks` on one sandbox config, end to end; returns the jwks.* results by id. */
export async function checkSandboxJwks(sandbox: Sandbox, configName: string, timeoutMs = 5_000): Promise<Record<string, CheckReport>> {
  const path = sandbox.configs[configName];
  if (!path) throw new Error(`no sandbox config ${configName}`);
  const env = { ...process.env, ...parseEnvFile(readFileSync(sandbox.envFile, 'utf8')) };
  const { report } = await checkConfigs({ configs: [path], options: { ...DEFAULT_OPTIONS, only: ['jwks'], timeoutMs }, env });
  expectFindingFields(report);
  return Object.fromEntries(report.runs[0]!.checks.map((check) => [check.id, check]));
}

/** A JWKS entry as Thredd publishes a key pair: opaque kid, use, x5c, x5t#S256, the public members, no alg. */
export function publishedOf(keyPair: KeyPair, kid: string, use = 'sig', extra: Partial<PublishedJwk> = {}): PublishedJwk {
  const { kty, ...members } = keyPair.key.publicJwk;
  return {
    kty,
    kid,
    use,
    x5c: [keyPair.certificate.certificate.raw.toString('base64')],
    'x5t#S256': keyPair.certificate.facts.x5tS256,
    ...members,
    ...extra,
  } as PublishedJwk;
}
