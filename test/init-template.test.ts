import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { starterConfig, type StarterConfigOptions } from '../src/init/template.js';
import { THREDD } from '../src/profiles/thredd.js';

const AUTH_METHODS = ['client_secret_post', 'client_secret_basic', 'private_key_jwt'] as const;
const CONNECTIVITIES = ['tls', 'mtls'] as const;
const ENVIRONMENTS = ['uat', 'production'] as const;

const COMBINATIONS: StarterConfigOptions[] = AUTH_METHODS.flatMap((authMethod) =>
  CONNECTIVITIES.flatMap((connectivity) => ENVIRONMENTS.map((environment) => ({ authMethod, connectivity, environment }))),
);

const VARIABLE = /^\$\{[A-Z][A-Z0-9_]*\}$/;

/** The names each environment's starter reads: Production's are its own, as `golive diff` reads both configs in one environment. */
const NAMES = new Map([
  ['uat', { organisationId: 'THREDD_ORG_ID', clientId: 'THREDD_CLIENT_ID', clientSecret: 'THREDD_CLIENT_SECRET', signing: 'SIGNING_KEY_PASSPHRASE', transport: 'TRANSPORT_KEY_PASSPHRASE' }],
  [
    'production',
    {
      organisationId: 'THREDD_PROD_ORG_ID',
      clientId: 'THREDD_PROD_CLIENT_ID',
      clientSecret: 'THREDD_PROD_CLIENT_SECRET',
      signing: 'PROD_SIGNING_KEY_PASSPHRASE',
      transport: 'PROD_TRANSPORT_KEY_PASSPHRASE',
    },
  ],
] as const);
const schema = JSON.parse(readFileSync(new URL('../schemas/config.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

interface Starter {
  profile: string;
  environment: string;
  connectivity: string;
  region: number;
  organisationId: string;
  client: { id: string; authMethod: string; secret?: string; scopes?: string[] };
  signing?: Record<string, string>;
  transport?: Record<string, string>;
  [key: string]: unknown;
}

function name(options: StarterConfigOptions): string {
  return `${options.authMethod} over ${options.connectivity} for ${options.environment}`;
}

describe.each(COMBINATIONS.map((options) => [name(options), options] as const))('starterConfig: %s', (_, options) => {
  const text = starterConfig(options);
  const config = parse(text) as Starter;
  const names = NAMES.get(options.environment)!;

  it('starts with the schema line for editors', () => {
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=https://golive.dev/schemas/config.schema.json');
    expect(text).toContain('./node_modules/golive/schemas/config.schema.json');
  });

  it('has the DESIGN.md shape', () => {
    expect(config).toMatchObject({
      profile: 'thredd',
      environment: options.environment,
      connectivity: options.connectivity,
      region: 0,
      organisationId: `\${${names.organisationId}}`,
      client: { id: `\${${names.clientId}}`, authMethod: options.authMethod },
    });
  });

  it('is valid against schemas/config.schema.json', () => {
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
  });

  it('holds every secret as a ${VAR}, commented-out lines included', () => {
    const secretLines = text.split('\n').filter((line) => /^\s*#?\s*(secret|passphrase):/.test(line));
    for (const line of secretLines) {
      const value = line.replace(/^\s*#?\s*(secret|passphrase):\s*/, '').replace(/\s+#.*$/, '');
      expect(JSON.parse(value)).toMatch(VARIABLE);
    }
    expect(config.client.id).toMatch(VARIABLE);
    expect(config.organisationId).toMatch(VARIABLE);
  });

  it('has client.secret only for client_secret_*', () => {
    if (options.authMethod === 'private_key_jwt') expect(config.client).not.toHaveProperty('secret');
    else expect(config.client.secret).toBe(`\${${names.clientSecret}}`);
  });

  it('has signing iff private_key_jwt', () => {
    expect('signing' in config).toBe(options.authMethod === 'private_key_jwt');
    if (config.signing) {
      expect(config.signing.privateKey).toBeTruthy();
      expect(config.signing.certificate).toBeTruthy();
      expect(text).toContain(`# passphrase: "\${${names.signing}}"`);
    }
  });

  it('has transport iff mtls', () => {
    expect('transport' in config).toBe(options.connectivity === 'mtls');
    if (config.transport) {
      expect(config.transport.privateKey).toBeTruthy();
      expect(config.transport.certificate).toBeTruthy();
      expect(text).toContain(`# passphrase: "\${${names.transport}}"`);
    }
  });

  it('shows the derived endpoints as comments, not as overrides', () => {
    expect(config).not.toHaveProperty('endpoints');
    expect(text).toContain(`#   token: ${THREDD.tokenEndpoint}`);
    expect(text).toContain(`#   jwks: ${THREDD.jwksTemplate}`);
    expect(text).toContain(`#   api: ${THREDD.apiHosts[options.environment][options.connectivity]}`);
  });

  it('keeps credential files per environment', () => {
    for (const section of [config.signing, config.transport]) {
      if (section) for (const file of [section.certificate, section.privateKey]) expect(file).toContain(`/${options.environment}/`);
    }
  });
});
