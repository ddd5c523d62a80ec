import { defineCheck, fail, pass, warn } from '../src/pipeline/check.js';
import { findingsOf, type Finding, type FindingTable } from '../src/pipeline/findings.js';
import { THREDD, threddEnvironmentOfHost } from '../src/profiles/thredd.js';
import { consequencesOf, listInWords, pastedValues, WHERE_VALUES_COME_FROM, type PastedValue } from '../src/config/pasted.js';
import type { ResolvedConfig } from '../src/config/types.js';
import configReferences from './config.references.js';

/** Where settings disagree: the finding, and the field it is about. */
interface Inconsistency extends Finding {
  severity: 'fail' | 'warn';
  field: string;
}

/** An endpoint as written, by its field name. */
interface Endpoint {
  field: string;
  value: string;
}

/** A setting the API host disagrees with: the host is Thredd's host for another environment or connectivity. */
interface HostMismatch {
  setting: 'environment' | 'connectivity';
  value: string;
  api: string;
  hostIs: string;
  /** The host the profile has for the config's environment and connectivity. */
  expected: string;
}

const hostMismatch = {
  message: ({ setting, value, api, hostIs }: HostMismatch) => `${setting} is ${value} but the API host ${api} is Thredd's ${hostIs} host`,
  hint: ({ setting, value, expected }: HostMismatch) => `Use ${expected} for ${value}, or correct ${setting}.`,
};

function findings() {
  return {
    'mtls-without-transport': {
      message: () => 'connectivity is mtls but there is no transport section with the client certificate',
      hint: () => 'Add transport.certificate and transport.privateKey (the transport certificate registered for mTLS), or set connectivity: tls.',
    },
    'transport-unused': {
      message: () => 'connectivity is tls, so the transport section is not used',
      hint: () => 'Remove transport, or set connectivity: mtls if the client is registered for mTLS.',
    },
    'signing-unused': {
      message: ({ authMethod }: { authMethod: string }) => `client.authMethod is ${authMethod}, so the signing section is not used`,
      hint: () => 'Remove signing, or set client.authMethod: private_key_jwt.',
    },
    'secret-unused': {
      message: () => 'client.authMethod is private_key_jwt, so client.secret is not used',
      hint: () => 'Remove client.secret from the config (and the variable from the environment) to keep the secret out of places it is not needed.',
    },
    'not-a-url': {
      message: ({ field, value }: Endpoint) => `${field} "${value}" is not a URL`,
      hint: ({ field }: Endpoint) => `Write ${field} as a full URL, e.g. ${field === 'endpoints.jwks' ? THREDD.jwksTemplate : 'https://host/path'}.`,
    },
    'credentials-in-url': {
      message: ({ field }: Endpoint) => `${field} carries credentials in the URL`,
      hint: ({ field }: Endpoint) => `Remove the user:password part from ${field}; golive sends credentials the way client.authMethod says.`,
    },
    'plain-http-jwks': {
      message: ({ field, origin }: Endpoint & { origin: string }) => `${field} ${origin} is plain http, so the key set can be altered in transit`,
      hint: ({ field }: Endpoint) => `Use https for ${field} if the host offers it (Thredd's own JWKS host ${THREDD.jwksHost} is published over http).`,
    },
    'unsupported-scheme': {
      message: ({ field, protocol }: Endpoint & { protocol: string }) => `${field} uses ${protocol}; only http and https are fetched`,
      hint: ({ field }: Endpoint) => `Point ${field} at the organisation JWKS URL.`,
    },
    'not-https': {
      message: ({ field, origin }: Endpoint & { origin: string }) => `${field} ${origin} is not https; credentials must never travel in clear text`,
      hint: ({ field }: Endpoint) => `Use the https URL for ${field}.`,
    },
    'pasted-whitespace': {
      message: ({ values }: { values: readonly PastedValue[] }) => listInWords(values.map(({ shown, where }) => `${shown} ${where}`)),
      hint: ({ values }: { values: readonly PastedValue[] }) =>
        `Remove the unseen characters where each value comes from ${WHERE_VALUES_COME_FROM}: golive sends values exactly as given, so ${consequencesOf(values)}.`,
    },
    'environment-host-mismatch': hostMismatch,
    'connectivity-host-mismatch': hostMismatch,
    'test-host-in-production': {
      message: ({ field, host }: Endpoint & { host: string }) => `environment is production but ${field} points at ${host}, a UAT/test host`,
      hint: ({ field }: Endpoint) => `Use the Production URL for ${field}, or remove the override to let the profile derive it.`,
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function endpointFindings(config: ResolvedConfig): Inconsistency[] {
  const findings: Inconsistency[] = [];
  for (const name of ['token', 'api', 'jwks'] as const) {
    const value = config.endpoints[name];
    const endpoint = { field: `endpoints.${name}`, value };
    const at = { severity: 'fail' as const, field: endpoint.field };
    const url = parseUrl(value);
    if (!url) {
      findings.push({ ...at, ...finding.text('not-a-url', endpoint) });
      continue;
    }
    if (url.username || url.password) findings.push({ ...at, ...finding.text('credentials-in-url', endpoint) });
    if (name === 'jwks') {
      if (url.protocol === 'http:' && url.hostname !== THREDD.jwksHost && !LOOPBACK.has(url.hostname)) {
        findings.push({ ...at, severity: 'warn', ...finding.text('plain-http-jwks', { ...endpoint, origin: url.origin }) });
      } else if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        findings.push({ ...at, ...finding.text('unsupported-scheme', { ...endpoint, protocol: url.protocol }) });
      }
    } else if (url.protocol !== 'https:') {
      findings.push({ ...at, ...finding.text('not-https', { ...endpoint, origin: url.origin }) });
    }
  }
  return findings;
}

function hostFindings(config: ResolvedConfig): Inconsistency[] {
  const findings: Inconsistency[] = [];
  const api = threddEnvironmentOfHost(config.endpoints.api);
  const mismatch = { api: config.endpoints.api, expected: THREDD.apiHosts[config.environment][config.connectivity] };
  const at = { severity: 'fail' as const, field: 'endpoints.api' };
  if (api && api.environment !== config.environment) {
    const args = { ...mismatch, setting: 'environment' as const, value: config.environment, hostIs: api.environment.toUpperCase() };
    findings.push({ ...at, ...finding.text('environment-host-mismatch', args) });
  } else if (api && api.connectivity !== config.connectivity) {
    const args = { ...mismatch, setting: 'connectivity' as const, value: config.connectivity, hostIs: api.connectivity };
    findings.push({ ...at, ...finding.text('connectivity-host-mismatch', args) });
  }
  if (config.environment === 'production') {
    for (const name of ['token', 'jwks', 'api'] as const) {
      const value = config.endpoints[name];
      const url = parseUrl(value);
      if (url && /(^|[.-])(uat|sandbox|test)([.-]|$)/i.test(url.hostname)) {
        const field = `endpoints.${name}`;
        findings.push({ severity: 'fail', field, ...finding.text('test-host-in-production', { field, value, host: url.hostname }) });
      }
    }
  }
  return findings;
}

function credentialFindings(config: ResolvedConfig): Inconsistency[] {
  const findings: Inconsistency[] = [];
  if (config.connectivity === 'mtls' && !config.transport) {
    findings.push({ severity: 'fail', field: 'connectivity', ...finding.text('mtls-without-transport', {}) });
  }
  if (config.connectivity === 'tls' && config.transport) {
    findings.push({ severity: 'warn', field: 'transport', ...finding.text('transport-unused', {}) });
  }
  if (config.client.authMethod !== 'private_key_jwt' && config.signing) {
    findings.push({ severity: 'warn', field: 'signing', ...finding.text('signing-unused', { authMethod: config.client.authMethod }) });
  }
  if (config.client.authMethod === 'private_key_jwt' && config.client.secret) {
    findings.push({ severity: 'warn', field: 'client.secret', ...finding.text('secret-unused', {}) });
  }
  return findings;
}

function pastedFindings(config: ResolvedConfig): Inconsistency[] {
  const values = pastedValues(config);
  if (values.length === 0) return [];
  return [{ severity: 'warn', field: values[0]!.field, ...finding.text('pasted-whitespace', { values }) }];
}

export default defineCheck({
  id: 'config.consistency',
  title: 'Environment, hosts and credentials agree',
  needs: [configReferences],
  explain: {
    verifies:
      'The environment, connectivity, hosts and region agree: a Production config pointing at a UAT host (or the reverse) fails; `connectivity: mtls` without a transport certificate fails; a token or API endpoint that is not `https` fails; a plain-`http` JWKS URL warns; a client id, secret, organisation id or kid with surrounding whitespace, a line break or an invisible character warns (shown escaped; the secret by its length only).',
    causes: [
      `A UAT config was copied to Production and \`environment\` changed, but an \`endpoints\` override still points at ${THREDD.apiHosts.uat.tls}.`,
      `\`connectivity: mtls\` with the TLS host (${THREDD.apiHosts.production.tls} instead of ${THREDD.apiHosts.production.mtls}), or the reverse.`,
      '`connectivity: mtls` but no `transport` section (certificate and key).',
      'An endpoint override written with `http://` or without a scheme.',
      'A client id, secret, organisation id or kid pasted with surrounding whitespace, a line break (a CRLF env file) or a zero-width space.',
    ],
    fixes: [
      'Remove the `endpoints` section unless you must override a host: the thredd profile derives the right hosts from `environment` and `connectivity`.',
      'Add a `transport` section with the mTLS certificate and key, or set `connectivity: tls`.',
      'Review a UAT to Production move with `golive diff uat.yaml prod.yaml`.',
    ],
    seeAlso: ['config.references', 'network.api-endpoint'],
  },
  run(_ctx, deps) {
    const config = deps['config.references'];
    const findings = [...credentialFindings(config), ...endpointFindings(config), ...hostFindings(config), ...pastedFindings(config)];
    const evidence = {
      environment: config.environment,
      connectivity: config.connectivity,
      region: `${config.region} (${THREDD.regions[config.region]})`,
      endpoints: config.endpoints,
    };
    if (findings.length === 0) return pass(config, evidence);
    const failures = findings.filter((found) => found.severity === 'fail');
    const shown = failures.length > 0 ? failures : findings;
    const where = config.parsed.locate(shown[0]!.field.split('.'));
    const result = {
      code: shown[0]!.code,
      message: `${shown.map((found) => found.message).join('; ')}.`,
      hint: shown.map((found) => found.hint).join(' '),
      evidence: {
        ...evidence,
        findings: findings.map(({ severity, code, field, message }) => ({ severity, code, field, message })),
        ...(where && { location: { path: shown[0]!.field, line: where.line, column: where.column } }),
      },
    };
    return failures.length > 0 ? fail(result) : warn(result, config);
  },
});
