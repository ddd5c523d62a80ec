import type { ResolvedConfig } from '../src/config/types.js';
import { defineMigrationCheck } from '../src/migration/check.js';
import { findingsOutcome, type Difference } from '../src/migration/findings.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import { THREDD } from '../src/profiles/thredd.js';
import migrationLoad from './migration.load.js';

/** A setting's change: its values as shown, and both configs for what to confirm. */
interface Change {
  field: string;
  before: string;
  after: string;
  uat: ResolvedConfig;
  production: ResolvedConfig;
  prodFile: string;
}

const region = (config: ResolvedConfig): string => `${config.region} (${THREDD.regions[config.region]})`;
const list = (values: readonly (string | number)[]): string => (values.length > 0 ? values.join(' ') : '(none)');
const changes = ({ field, before, after }: Change): string => `${field} changes from ${before} to ${after}`;

function findings() {
  return {
    'profile-changed': {
      message: changes,
      hint: ({ production }: Change) => `Confirm the Production config is meant to use the ${production.profile} profile: it decides which endpoints are derived.`,
    },
    'connectivity-changed': {
      message: changes,
      hint: ({ production }: Change) =>
        production.connectivity === 'mtls'
          ? 'Confirm the Production client is registered for mTLS, with the Production transport certificate registered in the portal.'
          : 'Confirm the Production client is registered for TLS (no client certificate): an mTLS-only client is refused on the TLS host.',
    },
    'region-changed': {
      message: changes,
      hint: ({ production }: Change) =>
        `Confirm the Production client is provisioned in region ${region(production)}: the API answers 403 when X-Region does not match.`,
    },
    'auth-method-changed': {
      message: changes,
      hint: ({ production }: Change) =>
        production.client.authMethod === 'private_key_jwt'
          ? 'Confirm the Production client is registered for private_key_jwt and its signing certificate is registered, so it appears in the Production JWKS.'
          : `Confirm the Production client is registered for ${production.client.authMethod}, and keep its secret in a variable set only where Production runs.`,
    },
    'scopes-changed': {
      message: changes,
      hint: ({ uat, production }: Change) => {
        const added = production.client.scopes.filter((scope) => !uat.client.scopes.includes(scope));
        const removed = uat.client.scopes.filter((scope) => !production.client.scopes.includes(scope));
        const parts = [...(added.length > 0 ? [`added ${added.join(' ')}`] : []), ...(removed.length > 0 ? [`removed ${removed.join(' ')}`] : [])];
        return `Scopes ${parts.join(', ')}: confirm the Production client is granted every requested scope (token.response in golive check warns when one is not).`;
      },
    },
    'algorithm-changed': {
      message: changes,
      hint: () => 'Confirm the algorithm registered for the Production client, and that it fits the Production signing key.',
    },
    'probe-changed': {
      message: changes,
      hint: ({ prodFile }: Change) =>
        `Make sure the Production probe in ${prodFile} is a read-only call the Production client may make: golive check calls it on the live platform.`,
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

/**
 * A setting that may legitimately differ between UAT and Production, but
 * must match what the Production client is provisioned with: each change is
 * listed (as a warning) for someone to confirm.
 */
interface Compared {
  field: string;
  code: keyof ReturnType<typeof findings>;
  /** undefined: the setting does not apply to this config (a change of another field covers it). */
  value(config: ResolvedConfig): string | undefined;
}

const COMPARED: readonly Compared[] = [
  { field: 'profile', code: 'profile-changed', value: (config) => config.profile },
  { field: 'connectivity', code: 'connectivity-changed', value: (config) => config.connectivity },
  { field: 'region', code: 'region-changed', value: region },
  { field: 'client.authMethod', code: 'auth-method-changed', value: (config) => config.client.authMethod },
  { field: 'client.scopes', code: 'scopes-changed', value: (config) => list([...config.client.scopes].sort()) },
  {
    field: 'signing.algorithm',
    code: 'algorithm-changed',
    value: (config) => (config.client.authMethod === 'private_key_jwt' ? config.signing?.algorithm : undefined),
  },
  {
    field: 'probe',
    code: 'probe-changed',
    value: (config) => `${config.probe.method} ${config.probe.path} expecting ${config.probe.expectStatus.join(' or ')}`,
  },
];

export default defineMigrationCheck({
  id: 'migration.changes',
  title: 'Setting changes listed',
  needs: [migrationLoad],
  explain: {
    verifies:
      'Lists every difference between the two configs in profile, connectivity, region, client.authMethod, client.scopes, signing.algorithm (when both sign) and the probe request, each with both values and what to confirm. A change is a warning, not a failure: Production may differ on purpose, but it must match how the Production client is provisioned, so someone confirms each one (`--strict` makes them fail). The organisation ids are shown, never warned about.',
    causes: [
      'The Production client is provisioned in another region, or for mTLS where UAT used TLS.',
      'The Production client uses another authentication method, or is granted other scopes.',
      'A setting was changed by mistake while copying the config.',
    ],
    fixes: [
      'Confirm each listed change against the Production client\'s registration in the portal (region, connectivity, auth method, scopes, algorithm).',
      'Revert a change made by mistake in the Production config.',
      'Then run `golive check prod.yaml` where the Production variables are set: it proves each setting against the platform.',
    ],
    seeAlso: ['probe.call', 'token.response'],
  },
  run(ctx, deps) {
    const { uat, production } = deps['migration.load'];
    const prodFile = ctx.configs.production.shown;
    const findings: Difference[] = COMPARED.flatMap(({ field, code, value }) => {
      const [before, after] = [value(uat), value(production)];
      if (before === after || before === undefined || after === undefined) return [];
      return [{ severity: 'warn', field, uat: before, production: after, ...finding.text(code, { field, before, after, uat, production, prodFile }) }];
    });
    const unchanged = COMPARED.filter(
      (compared) => compared.value(production) !== undefined && !findings.some((finding) => finding.field === compared.field),
    );
    return findingsOutcome(
      findings,
      {
        ...(findings.length > 0 && { changed: Object.fromEntries(findings.map(({ field, uat: before, production: after }) => [field, `UAT ${before}, Production ${after}`])) }),
        unchanged: Object.fromEntries(unchanged.map((compared) => [compared.field, compared.value(production)])),
        organisationId: { uat: uat.organisationId, production: production.organisationId },
      },
      `No changes in ${COMPARED.map((compared) => compared.field).join(', ')}.`,
    );
  },
});
