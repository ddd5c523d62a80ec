import type { Endpoints, ResolvedConfig } from '../src/config/types.js';
import { defineMigrationCheck, type ConfigPair } from '../src/migration/check.js';
import { findingsOutcome, type Finding } from '../src/migration/findings.js';
import { ROLES, shownFile } from '../src/migration/material.js';
import { isSandboxIssuer, THREDD, threddEnvironmentOfHost } from '../src/profiles/thredd.js';
import migrationLoad from './migration.load.js';

const NON_PRODUCTION_LABEL = /(^|[.-])(uat|sandbox|test|staging)([.-]|$)/i;
const NON_PRODUCTION_SEGMENT = /(^|[/_.-])(uat|sandbox|test|staging)([/_.-]|$)/i;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Why a URL in a Production config is not a Production URL, if it is not. */
function nonProductionReason(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url) return 'is not a URL';
  if (threddEnvironmentOfHost(value)?.environment === 'uat') return "is Thredd's UAT host";
  if (NON_PRODUCTION_LABEL.test(url.hostname)) return `names a UAT, sandbox or test host (${url.hostname})`;
  if (NON_PRODUCTION_SEGMENT.test(url.pathname)) return `names a UAT, sandbox or test environment in its path (${url.pathname})`;
  if (LOOPBACK.test(url.hostname)) return `is a local address (${url.hostname}), not the Production platform`;
  return undefined;
}

function endpointFindings(uat: ResolvedConfig, production: ResolvedConfig, prodFile: string): Finding[] {
  const findings: Finding[] = [];
  const derived = (name: keyof Endpoints): string | undefined =>
    production.profile === 'thredd'
      ? { token: THREDD.tokenEndpoint, jwks: THREDD.jwksTemplate, api: THREDD.apiHosts.production[production.connectivity] }[name]
      : undefined;
  const fix = (name: keyof Endpoints): string =>
    derived(name) && production.endpointsOverridden[name]
      ? `Remove endpoints.${name} from ${prodFile} to use the profile's ${derived(name)}.`
      : derived(name)
        ? `Set endpoints.${name} in ${prodFile} to the Production URL ${derived(name)}.`
        : `Set the endpoints in ${prodFile} to the Production platform's URLs.`;
  for (const name of ['token', 'jwks', 'api'] as const) {
    const value = production.endpoints[name];
    const both = { field: `endpoints.${name}`, uat: uat.endpoints[name], production: value };
    const reason = nonProductionReason(value);
    if (reason) {
      findings.push({ ...both, severity: 'fail', message: `endpoints.${name} ${value} ${reason}`, hint: fix(name) });
    } else if (name === 'api' && value === uat.endpoints.api) {
      findings.push({ ...both, severity: 'fail', message: `endpoints.api ${value} is the API URL of the UAT config too`, hint: fix(name) });
    } else if (name === 'api' && production.profile === 'thredd' && threddEnvironmentOfHost(value) === undefined) {
      findings.push({
        ...both,
        severity: 'warn',
        message: `endpoints.api ${value} is not one of Thredd's Production hosts (${THREDD.apiHosts.production.tls}, ${THREDD.apiHosts.production.mtls})`,
        hint: `Confirm that ${value} forwards to ${THREDD.apiHosts.production[production.connectivity]}, or ${fix(name).charAt(0).toLowerCase()}${fix(name).slice(1)}`,
      });
    }
  }
  const audience = production.signing?.audience;
  const audienceReason = audience && production.client.authMethod === 'private_key_jwt' ? nonProductionReason(audience) : undefined;
  if (audience && audienceReason && audienceReason !== 'is not a URL') {
    findings.push({
      field: 'signing.audience',
      uat: uat.signing?.audience ?? '(default)',
      production: audience,
      severity: 'fail',
      message: `signing.audience ${audience} ${audienceReason}`,
      hint: `Remove signing.audience from ${prodFile} (the default is the token endpoint URL), or set it to the Production token endpoint.`,
    });
  }
  return findings;
}

function trustFindings({ uat, production }: ConfigPair['loaded'], prodFile: string): Finding[] {
  const findings: Finding[] = [];
  const anchors = production.trustAnchors;
  const uatAnchors = uat.trustAnchors;
  if (anchors?.problem) {
    findings.push({
      field: 'http.ca',
      uat: uatAnchors?.file ?? '(not set)',
      production: anchors.file,
      severity: 'warn',
      message: `http.ca (${anchors.file}) was not checked for sandbox CAs, as it does not load (${anchors.problem.replace(/\.$/, '')})`,
      hint: `Run golive check --offline ${prodFile} for the full diagnosis.`,
    });
  }
  const sandboxAnchor = anchors?.certificates.find((facts) => isSandboxIssuer(facts.subject) || isSandboxIssuer(facts.issuer));
  if (anchors && sandboxAnchor) {
    findings.push({
      field: 'http.ca',
      uat: uatAnchors?.file ?? '(not set)',
      production: anchors.file,
      severity: 'fail',
      message: `http.ca (${anchors.file}) trusts ${sandboxAnchor.subject}, a sandbox or test CA`,
      hint: `Remove http.ca from ${prodFile}: Production hosts use publicly trusted certificates; keep http.ca only for your own TLS-intercepting proxy's CA.`,
    });
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
        message: `${facts.certificateField} (${facts.certificateFile}) was issued by ${issuer}, a sandbox or test CA`,
        hint: `Point ${facts.certificateField} in ${prodFile} at the ${role} certificate issued for Production.`,
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
