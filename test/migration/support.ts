import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import migrationLoad from '../../checks/migration.load.js';
import type { ConfigPair, MigrationContext } from '../../src/migration/check.js';
import { startOfDay } from '../../src/migration/run.js';
import { createHttpSession } from '../../src/net/http.js';
import type { CheckOutcome } from '../../src/pipeline/check.js';
import { DEFAULT_OPTIONS } from '../../src/pipeline/context.js';
import { createCa, type Issued } from '../../src/sandbox/pki.js';
import { daysFromNow, issue } from '../support/credentials.js';

export const DAY_MS = 86_400_000;

/** Fixed "now" for every scenario; go-live defaults to 30 days later, as in the CLI. */
export const NOW = Date.now();

export const UAT_CLIENT_ID = '0b8f6c2e-1d4a-4e7b-9c3f-5a6d7e8f9a01';
export const PROD_CLIENT_ID = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
export const UAT_SECRET = 'uat-secret-Zq8vN3kLw2';
export const PROD_SECRET = 'prod-secret-Hx5tR7mPy9Q';

/** Env for the base pair: the Production config reads its own variables. */
export const PAIR_ENV = {
  UAT_CLIENT_ID,
  PROD_CLIENT_ID,
  UAT_CLIENT_SECRET: UAT_SECRET,
  PROD_CLIENT_SECRET: PROD_SECRET,
};

type Document = Record<string, unknown>;

/** A private_key_jwt client over mTLS, thredd profile: every credential the review compares. */
export function uatDocument(): Document {
  return {
    profile: 'thredd',
    environment: 'uat',
    connectivity: 'mtls',
    region: 0,
    organisationId: 'org-uat',
    client: { id: '${UAT_CLIENT_ID}', authMethod: 'private_key_jwt' },
    signing: { certificate: 'uat/signing.pem', privateKey: 'uat/signing.key', algorithm: 'ES256' },
    transport: { certificate: 'uat/transport.pem', privateKey: 'uat/transport.key' },
  };
}

export function prodDocument(): Document {
  return {
    ...uatDocument(),
    environment: 'production',
    organisationId: 'org-prod',
    client: { id: '${PROD_CLIENT_ID}', authMethod: 'private_key_jwt' },
    signing: { certificate: 'prod/signing.pem', privateKey: 'prod/signing.key', algorithm: 'ES256' },
    transport: { certificate: 'prod/transport.pem', privateKey: 'prod/transport.key' },
  };
}

/** A client_secret_post client over TLS: no certificate at all. */
export function secretDocument(environment: 'uat' | 'production'): Document {
  const prefix = environment === 'uat' ? 'UAT' : 'PROD';
  return {
    profile: 'thredd',
    environment,
    connectivity: 'tls',
    region: 0,
    organisationId: `org-${environment}`,
    client: { id: `\${${prefix}_CLIENT_ID}`, authMethod: 'client_secret_post', secret: `\${${prefix}_CLIENT_SECRET}` },
  };
}

export interface Credentials {
  uatSigning: Issued;
  uatTransport: Issued;
  prodSigning: Issued;
  prodTransport: Issued;
}

/** EC keys: fast to generate, and each scenario's certificates are issued at test time. */
export async function generateCredentials(): Promise<Credentials> {
  const [uatSigning, uatTransport, prodSigning, prodTransport] = await Promise.all([
    issue({ subject: 'CN=uat signing, O=Example Ltd', key: { kind: 'ec' }, keyUsage: ['digitalSignature'] }),
    issue({ subject: 'CN=uat transport, O=Example Ltd', key: { kind: 'ec' }, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'] }),
    issue({ subject: 'CN=prod signing, O=Example Ltd', key: { kind: 'ec' }, keyUsage: ['digitalSignature'] }),
    issue({ subject: 'CN=prod transport, O=Example Ltd', key: { kind: 'ec' }, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'] }),
  ]);
  return { uatSigning, uatTransport, prodSigning, prodTransport };
}

export function credentialFiles(credentials: Credentials): Record<string, string> {
  return {
    'uat/signing.pem': credentials.uatSigning.certPem,
    'uat/signing.key': credentials.uatSigning.keyPem,
    'uat/transport.pem': credentials.uatTransport.certPem,
    'uat/transport.key': credentials.uatTransport.keyPem,
    'prod/signing.pem': credentials.prodSigning.certPem,
    'prod/signing.key': credentials.prodSigning.keyPem,
    'prod/transport.pem': credentials.prodTransport.certPem,
    'prod/transport.key': credentials.prodTransport.keyPem,
  };
}

/** A sandbox-like CA and a certificate it issued, expiring in `days`. */
export async function sandboxIssued(subject: string, days = 365): Promise<{ ca: Issued; leaf: Issued }> {
  const ca = await createCa('CN=Thredd Sandbox Issuing CA, O=golive sandbox');
  const leaf = await issue({ subject, issuer: ca, key: { kind: 'ec' }, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'], notAfter: daysFromNow(days) });
  return { ca, leaf };
}

let counter = 0;

export interface Scenario {
  uat: Document | string;
  production: Document | string;
  /** Relative to the configs' folder; written 0600 unless a mode is given. */
  files?: Record<string, string | { content: string; mode: number }>;
  env?: Record<string, string>;
  /** Start of the go-live day; default 30 days after NOW. */
  goLive?: number;
  names?: { uat: string; production: string };
  /** A config not written, to test a missing file. */
  absent?: 'uat' | 'production';
}

/** Writes both configs and their files into a fresh folder and builds the context `golive diff` would. */
export function scenarioContext(dir: string, scenario: Scenario): MigrationContext {
  const folder = path.join(dir, `pair-${++counter}`);
  for (const [name, content] of Object.entries(scenario.files ?? {})) {
    const file = path.join(folder, name);
    mkdirSync(path.dirname(file), { recursive: true });
    const [text, mode] = typeof content === 'string' ? [content, 0o600] : [content.content, content.mode];
    writeFileSync(file, text, { mode });
  }
  mkdirSync(folder, { recursive: true });
  const names = scenario.names ?? { uat: 'uat.yaml', production: 'prod.yaml' };
  const write = (name: string, document: Document | string) => {
    const file = path.join(folder, name);
    if (scenario.absent && names[scenario.absent] === name) return file;
    writeFileSync(file, typeof document === 'string' ? document : stringify(document));
    return file;
  };
  const configs = {
    uat: { path: write(names.uat, scenario.uat), shown: names.uat },
    production: { path: write(names.production, scenario.production), shown: names.production },
  };
  const env = scenario.env ?? PAIR_ENV;
  return {
    configPath: configs.production.path,
    configs,
    goLive: scenario.goLive ?? startOfDay(NOW + 30 * DAY_MS),
    env,
    options: { ...DEFAULT_OPTIONS },
    now: () => NOW,
    http: createHttpSession(env),
  };
}

/** Runs migration.load, then (when it passed or warned) the check under test, as the runner would. */
export async function runScenario(
  dir: string,
  check: { id: string; run(ctx: MigrationContext, deps: { 'migration.load': ConfigPair }): Promise<CheckOutcome<unknown>> | CheckOutcome<unknown> },
  scenario: Scenario,
): Promise<CheckOutcome<unknown> & { load: CheckOutcome<ConfigPair> }> {
  const ctx = scenarioContext(dir, scenario);
  const load = await migrationLoad.run(ctx, {});
  if (check.id === 'migration.load') return { ...load, load };
  if (load.status === 'fail') throw new Error(`migration.load failed: ${load.message}`);
  const result = await check.run(ctx, { 'migration.load': load.output! });
  return { ...result, load };
}
