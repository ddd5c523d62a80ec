import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { issue } from '../../support/credentials.js';
import { CANARY, SECRET_ENV } from './canaries.js';
import { SECRET_CONFIG, VALID_CONFIG } from './configs.js';

/**
 * The template folder every CLI case starts from: configs of each kind, the
 * credentials they name, an env file and Postman exports holding canaries,
 * a report to render, and odd entries (a folder, symbolic links).
 */

export const FIXTURE = {
  /** The config `golive check` reads when given none. */
  default: 'golive.yaml',
  valid: 'valid.yaml',
  validJson: 'valid.json',
  secret: 'secret.yaml',
  inline: 'inline.yaml',
  mtls: 'mtls.yaml',
  production: 'prod.yaml',
  proto: 'proto.yaml',
  envFile: 'prod.env',
  postman: 'postman.json',
  collection: 'collection.json',
  report: 'report.json',
  folder: 'dir',
  link: 'link.yaml',
  loop: 'loop',
  dangling: 'dangling',
  signingCert: 'certs/signing.pem',
  signingKey: 'certs/signing.key',
} as const;

/** Configs that name the credentials under certs/: a run over one reads them. */
export const CONFIG_FIXTURES: readonly string[] = [FIXTURE.default, FIXTURE.valid, FIXTURE.validJson, FIXTURE.secret, FIXTURE.inline, FIXTURE.mtls, FIXTURE.production, FIXTURE.proto, FIXTURE.link];

export interface Credentials {
  certPem: string;
  keyPem: string;
  encryptedKeyPem: string;
  transportCertPem: string;
  transportKeyPem: string;
}

export async function makeCredentials(): Promise<Credentials> {
  const [signing, transport] = await Promise.all([issue({ key: { kind: 'rsa', bits: 2048 } }), issue({ key: { kind: 'ec', curve: 'P-256' }, extKeyUsage: ['clientAuth'] })]);
  const encryptedKeyPem = createPrivateKey(signing.keyPem)
    .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: CANARY.passphrase })
    .toString();
  return { certPem: signing.certPem, keyPem: signing.keyPem, encryptedKeyPem, transportCertPem: transport.certPem, transportKeyPem: transport.keyPem };
}

export function postmanEnvironment(credentials: Credentials): unknown {
  return {
    id: '2b1e5f0e-0000-4000-8000-000000000000',
    name: 'Thredd UAT',
    values: [
      { key: 'client_id', value: '6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11', enabled: true },
      { key: 'client_secret', value: CANARY.postmanSecret, type: 'secret', enabled: true },
      { key: 'privateKey', value: credentials.encryptedKeyPem.replace(/\n/g, '\\n'), type: 'secret', enabled: true },
      { key: 'certificate', value: credentials.certPem, enabled: true },
      { key: 'passphrase', value: CANARY.postmanPassphrase, type: 'secret', enabled: true },
      { key: 'baseUrl', value: 'https://uat-api.thredd.com/core', enabled: true },
      { key: 'tokenUrl', value: 'https://threddid.com/oauth2/token', enabled: true },
      { key: 'x-region', value: '1', enabled: true },
      { key: 'org_id', value: 'org-1234', enabled: true },
      { key: 'MY_TOKEN', value: CANARY.postmanToken, enabled: true },
      { key: 'custom_value', value: CANARY.postmanToken, type: 'secret', enabled: true },
      { key: '__proto__', value: 'x', enabled: true },
      { key: 'constructor', value: '{{client_id}}', enabled: true },
    ],
    _postman_variable_scope: 'environment',
  };
}

export function postmanCollection(): unknown {
  return {
    info: { name: 'Thredd collection', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
    variable: [
      { key: 'clientId', value: 'client-1' },
      { key: 'clientSecret', value: CANARY.postmanSecret },
      { key: 'url', value: 'https://mtls.thredd.com' },
      { key: 'transportKey', value: 'certs/transport.key' },
    ],
  };
}

const PROTO_CONFIG = `profile: thredd
environment: uat
connectivity: tls
region: "\${constructor}"
organisationId: "\${__proto__}\${toString}"
client:
  id: "\${hasOwnProperty:-client}"
  authMethod: client_secret_post
  secret: "\${THREDD_CLIENT_SECRET}"
  scopes: ["\${valueOf}", "\${isPrototypeOf}"]
  __proto__: { polluted: true }
  constructor: x
probe:
  path: "/\${propertyIsEnumerable}"
`;

/** Writes the template folder (idempotent per process). */
export async function writeTemplate(dir: string, credentials: Credentials): Promise<void> {
  mkdirSync(path.join(dir, 'certs'), { recursive: true });
  mkdirSync(path.join(dir, FIXTURE.folder), { recursive: true });
  const write = (name: string, content: string, mode = 0o644) => writeFileSync(path.join(dir, name), content, { mode });
  write(FIXTURE.signingCert, credentials.certPem);
  write(FIXTURE.signingKey, credentials.encryptedKeyPem, 0o600);
  write('certs/transport.pem', credentials.transportCertPem);
  write('certs/transport.key', credentials.transportKeyPem, 0o600);
  write(FIXTURE.valid, stringify(VALID_CONFIG));
  write(FIXTURE.validJson, JSON.stringify(VALID_CONFIG, null, 2));
  write(FIXTURE.secret, stringify(SECRET_CONFIG));
  write(FIXTURE.default, stringify(SECRET_CONFIG));
  write(
    FIXTURE.inline,
    stringify({ ...SECRET_CONFIG, client: { id: 'client-1', authMethod: 'client_secret_post', secret: CANARY.inlineSecret }, organisationId: 'org-1', endpoints: undefined }),
  );
  write(
    FIXTURE.mtls,
    stringify({
      ...VALID_CONFIG,
      connectivity: 'mtls',
      transport: { certificate: 'certs/transport.pem', privateKey: 'certs/transport.key', passphrase: '${DB_PASSWORD}' },
    }),
  );
  write(
    FIXTURE.production,
    stringify({ ...VALID_CONFIG, environment: 'production', client: { ...VALID_CONFIG.client, id: 'prod-client' }, organisationId: 'org-9' }),
  );
  write(FIXTURE.proto, PROTO_CONFIG);
  write(
    FIXTURE.envFile,
    [
      '# golive variables for production',
      `export THREDD_CLIENT_SECRET=${CANARY.envFileSecret}`,
      `FILE_SECRET="${CANARY.envFileSecret}"`,
      "THREDD_ORG_ID='org-5678'",
      '__proto__=polluted',
      'constructor=ctor',
      'EMPTY=',
      'not a line',
    ].join('\n') + '\n',
    0o600,
  );
  write(FIXTURE.postman, JSON.stringify(postmanEnvironment(credentials), null, 2), 0o600);
  write(FIXTURE.collection, JSON.stringify(postmanCollection(), null, 2), 0o600);
  if (!existsSync(path.join(dir, FIXTURE.link))) {
    symlinkSync(FIXTURE.valid, path.join(dir, FIXTURE.link));
    symlinkSync(FIXTURE.loop, path.join(dir, FIXTURE.loop));
    symlinkSync('nowhere/missing.yaml', path.join(dir, FIXTURE.dangling));
  }
  await writeReport(dir);
}

/** A report from a real offline run, for `golive report`; a bare one when check cannot produce it. */
async function writeReport(dir: string): Promise<void> {
  const { main } = await import('../../../src/cli/main.js');
  const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  try {
    await main(['check', '--offline', FIXTURE.valid, '--json', FIXTURE.report], { stdout: sink(), stderr: sink(), env: { ...SECRET_ENV }, cwd: dir });
  } catch {
    // The CLI target reports whatever this was; the template only needs some report.
  }
  if (!existsSync(path.join(dir, FIXTURE.report))) {
    writeFileSync(
      path.join(dir, FIXTURE.report),
      JSON.stringify({ schemaVersion: 1, tool: { name: 'golive', version: '0.0.0' }, status: 'pass', runs: [] }),
    );
  }
}
