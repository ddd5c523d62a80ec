import { stringify } from 'yaml';
import type { SandboxFolder } from './folder.js';
import type { Material, ClientKey } from './material.js';

export const SECRET_VARIABLE = 'THREDD_CLIENT_SECRET';
export const ENV_FILE_NAME = 'sandbox.env';

export interface SandboxEndpoints {
  token: string;
  tokenMtls: string;
  jwks: string;
  api: string;
  apiMtls: string;
}

interface ConfigSpec {
  name: string;
  client: ClientKey;
  signing?: { certificate: string; privateKey: string; kid: string; algorithm: string };
}

const CONFIGS: readonly { name: string; client: ClientKey; signing?: 'rsa' | 'ec' }[] = [
  { name: 'client_secret_post-tls', client: 'client_secret_post-tls' },
  { name: 'client_secret_basic-tls', client: 'client_secret_basic-tls' },
  { name: 'private_key_jwt-tls', client: 'private_key_jwt-tls', signing: 'rsa' },
  { name: 'private_key_jwt-es256-tls', client: 'private_key_jwt-tls', signing: 'ec' },
  { name: 'client_secret_post-mtls', client: 'client_secret_post-mtls' },
  { name: 'client_secret_basic-mtls', client: 'client_secret_basic-mtls' },
  { name: 'private_key_jwt-mtls', client: 'private_key_jwt-mtls', signing: 'rsa' },
];

function configSpecs(material: Material): ConfigSpec[] {
  const signing = {
    rsa: { certificate: 'certs/signing.pem', privateKey: 'certs/signing.key', kid: material.kids.signing, algorithm: 'PS256' },
    ec: { certificate: 'certs/signing-es256.pem', privateKey: 'certs/signing-es256.key', kid: material.kids.signingEs256, algorithm: 'ES256' },
  };
  return CONFIGS.map(({ signing: kind, ...spec }) => ({ ...spec, ...(kind ? { signing: signing[kind] } : {}) }));
}

function configDocument(spec: ConfigSpec, material: Material, endpoints: SandboxEndpoints): Record<string, unknown> {
  const [authMethod, connectivity] = spec.client.split('-') as [string, 'tls' | 'mtls'];
  const mutual = connectivity === 'mtls';
  return {
    profile: 'custom',
    environment: 'uat',
    connectivity,
    region: 0,
    organisationId: material.organisationId,
    client: {
      id: material.clients[spec.client],
      authMethod,
      ...(spec.signing ? {} : { secret: `\${${SECRET_VARIABLE}}` }),
    },
    ...(spec.signing ? { signing: spec.signing } : {}),
    ...(mutual ? { transport: { certificate: 'certs/transport.pem', privateKey: 'certs/transport.key' } } : {}),
    endpoints: {
      token: mutual ? endpoints.tokenMtls : endpoints.token,
      jwks: endpoints.jwks.replace(material.organisationId, '{organisationId}'),
      api: mutual ? endpoints.apiMtls : endpoints.api,
    },
    probe: { method: 'GET', path: '/core/api/v1/products', expectStatus: [200] },
    http: { ca: 'ca.pem' },
  };
}

/** The config pair `golive diff` reviews: UAT first, Production second. */
export interface MigrationConfigs {
  uat: string;
  production: string;
}

export const MIGRATION_CONFIG_NAMES = { uat: 'migration-uat.yaml', production: 'migration-prod.yaml' } as const;

/** Every file writeConfigs writes, relative to the sandbox folder. */
export const CONFIG_FILE_NAMES: readonly string[] = [...CONFIGS.map(({ name }) => `${name}.yaml`), ENV_FILE_NAME, ...Object.values(MIGRATION_CONFIG_NAMES)];

/**
 * A UAT config and a Production-like one for trying `golive diff`: the
 * Production one has its own client id, signing and transport credentials
 * and region 1, but, being a sandbox's, still points at the local hosts and
 * trusts the sandbox CA that issued its certificates: the review shows how
 * such leftovers are diagnosed.
 */
function migrationDocuments(material: Material, endpoints: SandboxEndpoints): Record<keyof MigrationConfigs, Record<string, unknown>> {
  const uat = configDocument(
    { name: 'migration-uat', client: 'private_key_jwt-mtls', signing: { certificate: 'certs/signing.pem', privateKey: 'certs/signing.key', kid: material.kids.signing, algorithm: 'PS256' } },
    material,
    endpoints,
  );
  const production = {
    ...uat,
    environment: 'production',
    region: 1,
    client: { id: material.production.clientId, authMethod: 'private_key_jwt' },
    signing: { certificate: 'certs/production-signing.pem', privateKey: 'certs/production-signing.key', algorithm: 'PS256' },
    transport: { certificate: 'certs/production-transport.pem', privateKey: 'certs/production-transport.key' },
  };
  return { uat, production };
}

async function writeMigrationConfigs(folder: SandboxFolder, material: Material, endpoints: SandboxEndpoints): Promise<MigrationConfigs> {
  const documents = migrationDocuments(material, endpoints);
  const command = `golive diff ${MIGRATION_CONFIG_NAMES.uat} ${MIGRATION_CONFIG_NAMES.production}`;
  const written = await Promise.all(
    (['uat', 'production'] as const).map(async (side) => {
      const header = `# golive sandbox: a ${side === 'uat' ? 'UAT' : 'Production-like'} config for the migration review. Run: ${command}
`;
      return folder.write(MIGRATION_CONFIG_NAMES[side], header + stringify(documents[side], { lineWidth: 0 }));
    }),
  );
  return { uat: written[0]!, production: written[1]! };
}

/**
 * Writes one ready config per auth method and connectivity, and the env file
 * holding the client secret they reference. Ports change on every start, so
 * these are rewritten each time; their paths stay the same. Also writes the
 * UAT/Production pair for `golive diff` (not in `configs`: those are all UAT).
 */
export async function writeConfigs(
  folder: SandboxFolder,
  material: Material,
  endpoints: SandboxEndpoints,
): Promise<{ configs: Record<string, string>; envFile: string; migration: MigrationConfigs }> {
  const configs: Record<string, string> = {};
  await Promise.all(
    configSpecs(material).map(async (spec) => {
      const header = `# golive sandbox: ${spec.name}. Run: golive check --env-file ${ENV_FILE_NAME} ${spec.name}.yaml\n`;
      configs[spec.name] = await folder.write(`${spec.name}.yaml`, header + stringify(configDocument(spec, material, endpoints), { lineWidth: 0 }));
    }),
  );
  const envFile = await folder.write(
    ENV_FILE_NAME,
    `# Secrets for the golive sandbox configs. Not for real credentials.\n${SECRET_VARIABLE}=${material.clientSecret}\n`,
    { secret: true },
  );
  const ordered = Object.fromEntries(configSpecs(material).map((spec) => [spec.name, configs[spec.name]!]));
  return { configs: ordered, envFile, migration: await writeMigrationConfigs(folder, material, endpoints) };
}
