import { defineCheck, fail, pass, warn } from '../src/pipeline/check.js';
import { THREDD, threddEnvironmentOfHost } from '../src/profiles/thredd.js';
import type { ResolvedConfig } from '../src/config/types.js';
import configReferences from './config.references.js';

interface Finding {
  severity: 'fail' | 'warn';
  field: string;
  message: string;
  hint: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function endpointFindings(config: ResolvedConfig): Finding[] {
  const findings: Finding[] = [];
  for (const name of ['token', 'api', 'jwks'] as const) {
    const value = config.endpoints[name];
    const field = `endpoints.${name}`;
    const url = parseUrl(value);
    if (!url) {
      findings.push({ severity: 'fail', field, message: `${field} "${value}" is not a URL`, hint: `Write ${field} as a full URL, e.g. ${name === 'jwks' ? THREDD.jwksTemplate : 'https://host/path'}.` });
      continue;
    }
    if (url.username || url.password) {
      findings.push({ severity: 'fail', field, message: `${field} carries credentials in the URL`, hint: `Remove the user:password part from ${field}; golive sends credentials the way client.authMethod says.` });
    }
    if (name === 'jwks') {
      if (url.protocol === 'http:' && url.hostname !== THREDD.jwksHost && !LOOPBACK.has(url.hostname)) {
        findings.push({
          severity: 'warn',
          field,
          message: `${field} ${url.origin} is plain http, so the key set can be altered in transit`,
          hint: `Use https for ${field} if the host offers it (Thredd's own JWKS host ${THREDD.jwksHost} is published over http).`,
        });
      } else if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        findings.push({ severity: 'fail', field, message: `${field} uses ${url.protocol}; only http and https are fetched`, hint: `Point ${field} at the organisation JWKS URL.` });
      }
    } else if (url.protocol !== 'https:') {
      findings.push({
        severity: 'fail',
        field,
        message: `${field} ${url.origin} is not https; credentials must never travel in clear text`,
        hint: `Use the https URL for ${field}.`,
      });
    }
  }
  return findings;
}

function hostFindings(config: ResolvedConfig): Finding[] {
  const findings: Finding[] = [];
  const api = threddEnvironmentOfHost(config.endpoints.api);
  if (api && api.environment !== config.environment) {
    const expected = THREDD.apiHosts[config.environment][config.connectivity];
    findings.push({
      severity: 'fail',
      field: 'endpoints.api',
      message: `environment is ${config.environment} but the API host ${config.endpoints.api} is Thredd's ${api.environment.toUpperCase()} host`,
      hint: `Use ${expected} for ${config.environment}, or correct environment.`,
    });
  } else if (api && api.connectivity !== config.connectivity) {
    const expected = THREDD.apiHosts[config.environment][config.connectivity];
    findings.push({
      severity: 'fail',
      field: 'endpoints.api',
      message: `connectivity is ${config.connectivity} but the API host ${config.endpoints.api} is Thredd's ${api.connectivity} host`,
      hint: `Use ${expected} for ${config.connectivity}, or correct connectivity.`,
    });
  }
  if (config.environment === 'production') {
    for (const name of ['token', 'jwks', 'api'] as const) {
      const url = parseUrl(config.endpoints[name]);
      if (url && /(^|[.-])(uat|sandbox|test)([.-]|$)/i.test(url.hostname)) {
        findings.push({
          severity: 'fail',
          field: `endpoints.${name}`,
          message: `environment is production but endpoints.${name} points at ${url.hostname}, a UAT/test host`,
          hint: `Use the Production URL for endpoints.${name}, or remove the override to let the profile derive it.`,
        });
      }
    }
  }
  return findings;
}

function credentialFindings(config: ResolvedConfig): Finding[] {
  const findings: Finding[] = [];
  if (config.connectivity === 'mtls' && !config.transport) {
    findings.push({
      severity: 'fail',
      field: 'connectivity',
      message: 'connectivity is mtls but there is no transport section with the client certificate',
      hint: 'Add transport.certificate and transport.privateKey (the transport certificate registered for mTLS), or set connectivity: tls.',
    });
  }
  if (config.connectivity === 'tls' && config.transport) {
    findings.push({
      severity: 'warn',
      field: 'transport',
      message: 'connectivity is tls, so the transport section is not used',
      hint: 'Remove transport, or set connectivity: mtls if the client is registered for mTLS.',
    });
  }
  if (config.client.authMethod !== 'private_key_jwt' && config.signing) {
    findings.push({
      severity: 'warn',
      field: 'signing',
      message: `client.authMethod is ${config.client.authMethod}, so the signing section is not used`,
      hint: 'Remove signing, or set client.authMethod: private_key_jwt.',
    });
  }
  if (config.client.authMethod === 'private_key_jwt' && config.client.secret) {
    findings.push({
      severity: 'warn',
      field: 'client.secret',
      message: 'client.authMethod is private_key_jwt, so client.secret is not used',
      hint: 'Remove client.secret from the config (and the variable from the environment) to keep the secret out of places it is not needed.',
    });
  }
  return findings;
}

export default defineCheck({
  id: 'config.consistency',
  title: 'Environment, hosts and credentials agree',
  needs: [configReferences],
  explain: {
    verifies:
      'The environment, connectivity, hosts and region agree: a Production config pointing at a UAT host (or the reverse) fails; `connectivity: mtls` without a transport certificate fails; a token or API endpoint that is not `https` fails; a plain-`http` JWKS URL warns.',
    causes: [
      `A UAT config was copied to Production and \`environment\` changed, but an \`endpoints\` override still points at ${THREDD.apiHosts.uat.tls}.`,
      `\`connectivity: mtls\` with the TLS host (${THREDD.apiHosts.production.tls} instead of ${THREDD.apiHosts.production.mtls}), or the reverse.`,
      '`connectivity: mtls` but no `transport` section (certificate and key).',
      'An endpoint override written with `http://` or without a scheme.',
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
    const findings = [...credentialFindings(config), ...endpointFindings(config), ...hostFindings(config)];
    const evidence = {
      environment: config.environment,
      connectivity: config.connectivity,
      region: `${config.region} (${THREDD.regions[config.region]})`,
      endpoints: config.endpoints,
    };
    if (findings.length === 0) return pass(config, evidence);
    const failures = findings.filter((finding) => finding.severity === 'fail');
    const shown = failures.length > 0 ? failures : findings;
    const where = config.parsed.locate(shown[0]!.field.split('.'));
    const result = {
      message: `${shown.map((finding) => finding.message).join('; ')}.`,
      hint: shown.map((finding) => finding.hint).join(' '),
      evidence: {
        ...evidence,
        findings: findings.map(({ severity, field, message }) => ({ severity, field, message })),
        ...(where && { location: { path: shown[0]!.field, line: where.line, column: where.column } }),
      },
    };
    return failures.length > 0 ? fail(result) : warn(result, config);
  },
});
