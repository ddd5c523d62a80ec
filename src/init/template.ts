import type { AuthMethod, Connectivity, Environment } from '../config/types.js';
import { THREDD } from '../profiles/thredd.js';
import { configVariables } from './variables.js';
import { commented, SCHEMA_COMMENT, SECRETS_COMMENT } from './yaml.js';

export interface StarterConfigOptions {
  authMethod: AuthMethod;
  connectivity: Connectivity;
  environment: Environment;
}

const LOCAL_SCHEMA = './node_modules/golive/schemas/config.schema.json';

/**
 * The commented config `golive init` writes. Secrets are always `${VAR}`
 * references: the file is meant to be committed, the values never are.
 */
export function starterConfig(options: StarterConfigOptions): string {
  const { authMethod, connectivity, environment } = options;
  // Per-environment folders keep UAT and Production keys apart: Production must use new credentials.
  const certs = `certs/${environment}`;
  const variables = configVariables(environment);
  const regions = Object.entries(THREDD.regions)
    .map(([value, name]) => `${value} ${name}`)
    .join(', ');

  const lines = [
    SCHEMA_COMMENT,
    `# Offline, point the line above at the installed copy: $schema=${LOCAL_SCHEMA}`,
    '#',
    `# golive starter config: ${environment}, ${connectivity}, ${authMethod}.`,
    '# Check it with `golive check <this file>`; `golive explain <check-id>` says what each check needs.',
    SECRETS_COMMENT,
    "# Relative paths resolve against this file's folder.",
    ...(environment === 'production'
      ? [
          '# Production needs its own client, secret and keys: review the move with `golive diff uat.yaml prod.yaml`.',
          '# Its variables have PROD in their names: `golive diff` reads both configs in one environment,',
          '# so names shared with UAT would give both the same values.',
        ]
      : []),
    '',
    commented('profile: thredd', 'thredd derives every endpoint; custom needs the endpoints section'),
    commented(`environment: ${environment}`, 'uat | production: which platform these credentials are for'),
    commented(`connectivity: ${connectivity}`, 'tls | mtls (mutual TLS with a transport certificate)'),
    commented('region: 0', `the X-Region header: ${regions}`),
    commented(`organisationId: "\${${variables.organisationId}}"`, 'from the portal (not the client id); names your JWKS'),
    '',
    'client:',
    commented(`  id: "\${${variables.clientId}}"`, 'a UUID or a URL ending in one, exactly as the portal shows it'),
    commented(`  authMethod: ${authMethod}`, 'client_secret_post | client_secret_basic | private_key_jwt'),
    ...(authMethod === 'private_key_jwt'
      ? []
      : [
          commented(
            `  secret: "\${${variables.clientSecret}}"`,
            `never the secret itself; sent ${authMethod === 'client_secret_basic' ? 'in an Authorization: Basic header' : 'in the request body'}`,
          ),
        ]),
    commented('  scopes: []', 'scopes to request; optional'),
    ...(authMethod === 'private_key_jwt'
      ? [
          '',
          '# Signs the client assertion (RFC 7523). Register the certificate in the portal: the platform',
          '# finds it in your organisation JWKS.',
          'signing:',
          `  certificate: ${certs}/signing.pem`,
          commented(`  privateKey: ${certs}/signing.key`, `PEM (PKCS#1, PKCS#8, SEC1) or a .p12/.pfx bundle`),
          commented(`  # passphrase: "\${${variables.signingPassphrase}}"`, 'uncomment for an encrypted key or a bundle'),
          commented('  algorithm: PS256', 'RS256 | PS256 for RSA keys, ES256 for P-256 keys'),
          commented('  # kid: ""', 'the KID shown in the portal; default: the kid the JWKS'),
          commented('', 'registers this key under (kids are opaque, never derived)'),
          commented('  # audience: ""', 'assertion aud; default: the token endpoint URL'),
        ]
      : []),
    ...(connectivity === 'mtls'
      ? [
          '',
          '# The client certificate for mutual TLS to the token and API hosts. Its extended key usage',
          '# must allow TLS client authentication.',
          'transport:',
          `  certificate: ${certs}/transport.pem`,
          `  privateKey: ${certs}/transport.key`,
          commented(`  # passphrase: "\${${variables.transportPassphrase}}"`, 'uncomment for an encrypted key or a bundle'),
        ]
      : []),
    '',
    `# The thredd profile derives the endpoints for ${environment} + ${connectivity}:`,
    '# endpoints:',
    `#   token: ${THREDD.tokenEndpoint}`,
    `#   jwks: ${THREDD.jwksTemplate}`,
    `#   api: ${THREDD.apiHosts[environment][connectivity]}`,
    '# Override them only for a test platform: a host from the other environment fails the check.',
    '',
    '# The API call that proves the token works (these are the defaults):',
    '# probe:',
    `#   method: ${THREDD.probe.method}`,
    `#   path: ${THREDD.probe.path}`,
    `#   expectStatus: [${THREDD.probe.expectStatus.join(', ')}]`,
    '',
    'http:',
    commented('  timeoutMs: 10000', 'per network step'),
    commented('  # ca: certs/corporate-proxy-ca.pem', 'extra trust anchors (PEM), e.g. a TLS-intercepting'),
    commented('', "proxy's CA; never turn certificate verification off instead"),
    '',
    commented('expiryWarningDays: 60', "warn when a certificate expires within this many days (Thredd's renewal notice)"),
  ];
  return lines.join('\n') + '\n';
}
