import type { Endpoints, ResolvedConfig } from '../src/config/types.js';
import { defineMigrationCheck, type ConfigPair } from '../src/migration/check.js';
import { findingsOutcome, type Difference } from '../src/migration/findings.js';
import { ROLES, shownFile, type CredentialRole } from '../src/migration/material.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import { isSandboxIssuer, THREDD, threddEnvironmentOfHost } from '../src/profiles/thredd.js';
import migrationLoad from './migration.load.js';

const NON_PRODUCTION_LABEL = /(^|[.-])(uat|sandbox|test|staging)([.-]|$)/i;
const NON_PRODUCTION_SEGMENT = /(^|[/_.-])(uat|sandbox|test|staging)([/_.-]|$)/i;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** A URL field of the Production config (host and path empty when it is not a URL), and what correcting it takes. */
interface UrlField {
  field: string;
  value: string;
  host: string;
  path: string;
  prodFile: string;
  /** The URL the thredd profile derives for the field; undefined with the custom profile. */
  derived?: string;
  /** The field is written in the Production config, not derived by the profile. */
  overridden?: boolean;
}

interface CaFile {
  file: string;
  prodFile: string;
}

function correction({ field, prodFile, derived, overridden }: UrlField): string {
  if (field === 'signing.audience') {
    return `Remove signing.audience from ${prodFile} (the default is the token endpoint URL), or set it to the Production token endpoint.`;
  }
  if (derived && overridden) return `Remove ${field} from ${prodFile} to use the profile's ${derived}.`;
  if (derived) return `Set ${field} in ${prodFile} to the Production URL ${derived}.`;
  return `Set the endpoints in ${prodFile} to the Production platform's URLs.`;
}

function findings() {
  return {
    'not-a-url': { message: ({ field, value }: UrlField) => `${field} ${value} is not a URL`, hint: correction },
    'uat-host': { message: ({ field, value }: UrlField) => `${field} ${value} is Thredd's UAT host`, hint: correction },
    'test-host': {
      message: ({ field, value, host }: UrlField) => `${field} ${value} names a UAT, sandbox or test host (${host})`,
      hint: correction,
    },
    'test-path': {
      message: ({ field, value, path }: UrlField) => `${field} ${value} names a UAT, sandbox or test environment in its path (${path})`,
      hint: correction,
    },
    'local-address': {
      message: ({ field, value, host }: UrlField) => `${field} ${value} is a local address (${host}), not the Production platform`,
      hint: correction,
    },
    'same-api-url': { message: ({ field, value }: UrlField) => `${field} ${value} is the API URL of the UAT config too`, hint: correction },
    'not-thredd-host': {
      message: ({ field, value }: UrlField) =>
        `${field} ${value} is not one of Thredd's Production hosts (${THREDD.apiHosts.production.tls}, ${THREDD.apiHosts.production.mtls})`,
      hint: (args: UrlField) => {
        const fix = correction(args);
        return `Confirm that ${args.value} forwards to ${args.derived}, or ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`;
      },
    },
    'ca-not-loaded': {
      message: ({ file, problem }: CaFile & { problem: string }) =>
        `http.ca (${file}) was not checked for sandbox CAs, as it does not load (${problem.replace(/\.$/, '')})`,
      hint: ({ prodFile }: CaFile) => `Run golive check --offline ${prodFile} for the full diagnosis.`,
    },
    'sandbox-ca': {
      message: ({ file, subject }: CaFile & { subject: string }) => `http.ca (${file}) trusts ${subject}, a sandbox or test CA`,
      hint: ({ prodFile }: CaFile) =>
        `Remove http.ca from ${prodFile}: Production hosts use publicly trusted certificates; keep http.ca only for your own TLS-intercepting proxy's CA.`,
    },
    'sandbox-issuer': {
      message: ({ field, file, issuer }: CaFile & { field: string; role: CredentialRole; issuer: string }) =>
        `${field} (${file}) was issued by ${issuer}, a sandbox or test CA`,
      hint: ({ field, role, prodFile }: CaFile & { field: string; role: CredentialRole }) =>
        `Point ${field} in ${prodFile} at the ${role} certificate issued for Production.`,
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

type NonProduction = 'not-a-url' | 'uat-host' | 'test-host' | 'test-path' | 'local-address';

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function urlField(field: string, value: string, prodFile: string, derived?: string, overridden?: boolean): UrlField {
  const url = parseUrl(value);
  return { field, value, host: url?.hostname ?? '', path: url?.pathname ?? '', prodFile, derived, overridden };
}

/** Why a URL in a Production config is not a Production URL, if it is not. */
function nonProduction({ value, host, path }: UrlField): NonProduction | undefined {
  if (!parseUrl(value)) return 'not-a-url';
  if (threddEnvironmentOfHost(value)?.environment === 'uat') return 'uat-host';
  if (NON_PRODUCTION_LABEL.test(host)) return 'test-host';
  if (NON_PRODUCTION_SEGMENT.test(path)) return 'test-path';
  if (LOOPBACK.test(host)) return 'local-address';
  return undefined;
}

function endpointFindings(uat: ResolvedConfig, production: ResolvedConfig, prodFile: string): Difference[] {
  const findings: Difference[] = [];
  const derived = (name: keyof Endpoints): string | undefined =>
    production.profile === 'thredd'
      ? { token: THREDD.tokenEndpoint, jwks: THREDD.jwksTemplate, api: THREDD.apiHosts.production[production.connectivity] }[name]
      : undefined;
  for (const name of ['token', 'jwks', 'api'] as const) {
    const value = production.endpoints[name];
    const both = { field: `endpoints.${name}`, uat: uat.endpoints[name], production: value };
    const url = urlField(both.field, value, prodFile, derived(name), production.endpointsOverridden[name]);
    const reason = nonProduction(url);
    if (reason) {
      findings.push({ ...both, severity: 'fail', ...finding.text(reason, url) });
    } else if (name === 'api' && value === uat.endpoints.api) {
      findings.push({ ...both, severity: 'fail', ...finding.text('same-api-url', url) });
    } else if (name === 'api' && production.profile === 'thredd' && threddEnvironmentOfHost(value) === undefined) {
      findings.push({ ...both, severity: 'warn', ...finding.text('not-thredd-host', url) });
    }
  }
  const audience = production.signing?.audience;
  const url = audience && production.client.authMethod === 'private_key_jwt' ? urlField('signing.audience', audience, prodFile) : undefined;
  const reason = url && nonProduction(url);
  if (url && reason && reason !== 'not-a-url') {
    findings.push({ field: url.field, uat: uat.signing?.audience ?? '(default)', production: url.value, severity: 'fail', ...finding.text(reason, url) });
  }
  return findings;
}

function trustFindings({ uat, production }: ConfigPair['loaded'], prodFile: string): Difference[] {
  const findings: Difference[] = [];
  const anchors = production.trustAnchors;
  const both = { field: 'http.ca', uat: uat.trustAnchors?.file ?? '(not set)' };
  if (anchors?.problem) {
    findings.push({ ...both, production: anchors.file, severity: 'warn', ...finding.text('ca-not-loaded', { file: anchors.file, problem: anchors.problem, prodFile }) });
  }
  const sandboxAnchor = anchors?.certificates.find((facts) => isSandboxIssuer(facts.subject) || isSandboxIssuer(facts.issuer));
  if (anchors && sandboxAnchor) {
    findings.push({ ...both, production: anchors.file, severity: 'fail', ...finding.text('sandbox-ca', { file: anchors.file, subject: sandboxAnchor.subject, prodFile }) });
  }
  for (const role of ROLES) {
    const [facts, uatFacts] = [production.credentials[role], uat.credentials[role]];
    const issuer = facts?.certificate?.issuer;
    if (facts && issuer && isSandboxIssuer(issuer)) {
      findings.push({
        field: facts.certificateField,
        uat: uatFacts?.certificate?.issuer ?? '(not used)',
        production: issuer,
        severity: 'fail',
        ...finding.text('sandbox-issuer', { field: facts.certificateField, file: facts.certificateFile, role, issuer, prodFile }),
      });
    }
  }
  return findings;
}

export default defineMigrationCheck({
  id: 'migration.endpoints',
  title: 'Production points only at Production',
  needs: [migrationLoad],
  explain: {
    verifies:
      "Nothing in the Production config points at UAT, a sandbox or a test system: no endpoint is Thredd's UAT API host, names uat/sandbox/test/staging in its host or path, or is a local address; the API URL differs from the UAT config's; with the thredd profile an API URL that is not a Thredd Production host warns; `signing.audience` names no UAT host; `http.ca` holds no sandbox or test CA; and the signing and transport certificates were not issued by one.",
    causes: [
      'An `endpoints` override copied from the UAT config (e.g. `api: https://uat-api.thredd.com`).',
      '`http.ca` still names the sandbox CA used in UAT or with `golive sandbox`.',
      'A certificate issued by a sandbox or test CA was copied into the Production config.',
      'A JWKS URL with a UAT or sandbox organisation in its path.',
    ],
    fixes: [
      'Remove `endpoints` overrides from the Production config: the thredd profile derives the Production hosts from `environment` and `connectivity`.',
      'Remove `http.ca` from the Production config unless it names your own TLS-intercepting proxy\'s CA.',
      'Point `signing.certificate` and `transport.certificate` at the certificates issued for Production.',
    ],
    seeAlso: ['config.consistency', 'signing.certificate', 'transport.certificate'],
  },
  run(ctx, deps) {
    const { uat, production, loaded } = deps['migration.load'];
    const prodFile = ctx.configs.production.shown;
    const findings = [...endpointFindings(uat, production, prodFile), ...trustFindings(loaded, prodFile)];
    return findingsOutcome(
      findings,
      { endpoints: { ...production.endpoints }, ...(production.http.ca && { ca: shownFile(production, production.http.ca) }) },
      `Production endpoints ${production.endpoints.token}, ${production.endpoints.jwks} and ${production.endpoints.api}; no UAT, sandbox or test host, CA or certificate issuer.`,
    );
  },
});
