import path from 'node:path';
import type { ResolvedConfig, SigningConfig, CredentialFiles } from '../../src/config/types.js';
import { createHttpSession, type HttpSession } from '../../src/net/http.js';
import { DEFAULT_OPTIONS, type RunContext } from '../../src/pipeline/context.js';
import { threddEndpoints } from '../../src/profiles/thredd.js';

export interface ResolvedOverrides extends Partial<Omit<ResolvedConfig, 'client' | 'signing' | 'transport'>> {
  authMethod?: ResolvedConfig['client']['authMethod'];
  /** Relative file names resolve against `dir`. */
  signing?: Partial<SigningConfig>;
  transport?: Partial<CredentialFiles>;
}

function absolute(dir: string, file: string | undefined): string | undefined {
  return file === undefined ? undefined : path.resolve(dir, file);
}

/**
 * A minimal ResolvedConfig as config.references hands it on: a UAT
 * private_key_jwt client over TLS, config file in `dir`.
 */
export function resolvedConfig(dir: string, overrides: ResolvedOverrides = {}): ResolvedConfig {
  const { authMethod = 'private_key_jwt', signing, transport, ...rest } = overrides;
  const environment = rest.environment ?? 'uat';
  const connectivity = rest.connectivity ?? (transport ? 'mtls' : 'tls');
  const file = path.join(dir, 'golive.yaml');
  return {
    parsed: { file, dir, format: 'yaml', sha256: '0'.repeat(64), data: {}, locate: () => undefined },
    profile: 'thredd',
    environment,
    connectivity,
    region: 0,
    organisationId: 'org-1',
    client: { id: '5f0c2d9e-8b1a-4c55-9d7e-3b2a1c0d9e8f', authMethod, scopes: [] },
    ...(signing
      ? {
          signing: {
            algorithm: 'PS256',
            privateKey: absolute(dir, signing.privateKey ?? 'signing.key')!,
            ...(signing.certificate !== undefined ? { certificate: absolute(dir, signing.certificate) } : {}),
            ...(signing.passphrase !== undefined ? { passphrase: signing.passphrase } : {}),
            ...(signing.algorithm !== undefined ? { algorithm: signing.algorithm } : {}),
          },
        }
      : {}),
    ...(transport
      ? {
          transport: {
            privateKey: absolute(dir, transport.privateKey ?? 'transport.key')!,
            ...(transport.certificate !== undefined ? { certificate: absolute(dir, transport.certificate) } : {}),
            ...(transport.passphrase !== undefined ? { passphrase: transport.passphrase } : {}),
          },
        }
      : {}),
    endpoints: threddEndpoints(environment, connectivity, 'org-1'),
    endpointsOverridden: {},
    probe: { method: 'GET', path: '/core/api/v1/products', expectStatus: [200] },
    http: { timeoutMs: 10_000, jwksMaxBytes: 1_000_000 },
    expiryWarningDays: 60,
    ...rest,
    thredd: rest.thredd ?? { issuers: [] },
  };
}

/** Credential checks are offline: any use of HTTP in them is a bug the test should show. */
const noHttp = new Proxy({} as HttpSession, {
  get(_target, property) {
    throw new Error(`an offline check used ctx.http.${String(property)}`);
  },
});

/** An offline run context with a fixed clock. */
export function runContext(now = Date.now()): RunContext {
  return { configPath: 'golive.yaml', env: {}, options: { ...DEFAULT_OPTIONS, offline: true }, now: () => now, http: noHttp };
}

/** An online run context with its own HTTP session (a fresh one per call: nothing probed before is reused). */
export function onlineContext(now = Date.now()): RunContext {
  return { configPath: 'golive.yaml', env: {}, options: DEFAULT_OPTIONS, now: () => now, http: createHttpSession({}) };
}
