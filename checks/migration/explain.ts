import type { CheckId } from '../ids.js';
import type { Explanation } from '../explain.js';
import type { MigrationId } from './ids.js';

/** The documentation behind `golive explain migration.<name>`: the same shape as a check's. */
export interface MigrationExplanation extends Omit<Explanation, 'seeAlso'> {
  seeAlso?: (MigrationId | CheckId)[];
}

export const MIGRATION_EXPLANATIONS = {
  'migration.load': {
    title: 'Both configs load',
    verifies:
      'Each of the two configs passes what config.parse, config.schema and config.references check in `golive check`: the file reads and parses, matches the schema, every `${VAR}` is set and every referenced file exists. A failure names which config (the UAT one, named first, or the Production one, named second). The other migration checks need both configs loaded.',
    causes: [
      'The Production config reads variables that are set only where Production runs (a CI job, a vault), not in this shell.',
      'Both configs read the same variable names, so one environment cannot hold both values: `--env-file` loads one set for both.',
      'The Production credential files were not copied to this machine.',
      'A typo or syntax error introduced while copying the UAT config.',
    ],
    fixes: [
      'Give the Production config its own variable names (e.g. THREDD_PROD_CLIENT_ID) and pass both sets: `golive diff uat.yaml prod.yaml --env-file uat.env --env-file prod.env`.',
      'Check each config alone with `golive check --offline <config>` for the full diagnosis.',
    ],
    seeAlso: ['config.parse', 'config.schema', 'config.references'],
  },
  'migration.environments': {
    title: 'UAT first, Production second',
    verifies:
      'The first config says `environment: uat` and the second `environment: production`, and the two files differ. The Production environment decides which hosts the thredd profile derives.',
    causes: [
      'The arguments are the wrong way round: `golive diff prod.yaml uat.yaml`.',
      'The Production config was copied from UAT and `environment` was not changed, so it still derives the UAT hosts.',
      'The same file was named twice.',
    ],
    fixes: [
      'Run `golive diff uat.yaml prod.yaml`: UAT first, Production second.',
      'Set `environment: production` in the Production config.',
    ],
    seeAlso: ['migration.endpoints', 'config.consistency'],
  },
  'migration.credentials': {
    title: 'Production has its own credentials',
    verifies:
      'Production uses new credentials: `client.id` differs; when both configs hold a client secret, the secrets differ (compared by SHA-256 digest in constant time; reports show only "same" or "different", where each comes from and its length, never a character); the signing and transport certificates differ (by SHA-256 fingerprint) and so do their keys (by RFC 7638 public key thumbprint, from the certificate and from the private key). A credential used only in Production is listed as new. Credentials that do not load are not compared (a warning).',
    causes: [
      'The Production config was copied from UAT and only `environment` was changed.',
      'The Production certificate was issued for the UAT key (a CSR made with the old key).',
      'Both configs read `${THREDD_CLIENT_ID}` or `${THREDD_CLIENT_SECRET}`: `golive diff` reads both configs in one environment, so both get the same value.',
    ],
    fixes: [
      'Request Production credentials in the Production portal: a client id and secret, or a registered signing certificate; generate new keys for them (`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out prod-signing.key`).',
      'Give the Production config its own variables (THREDD_PROD_CLIENT_ID, THREDD_PROD_CLIENT_SECRET) and set them only where Production runs.',
      'Compare certificates yourself: `openssl x509 -in signing.pem -noout -fingerprint -sha256` for each config.',
    ],
    seeAlso: ['migration.lifetimes', 'signing.keypair', 'jwks.signing-key'],
  },
  'migration.endpoints': {
    title: 'Production points only at Production',
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
  'migration.changes': {
    title: 'Setting changes listed',
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
  'migration.lifetimes': {
    title: 'Certificates cover go-live',
    verifies:
      'Every certificate the Production config uses (signing and transport certificates, their intermediates, and `http.ca`) is valid on the go-live day (`--go-live YYYY-MM-DD`, default 30 days from today, as a whole UTC day): one that has expired, expires before the end of that day, or only starts after it fails; one that expires within `expiryWarningDays` (default 30) after go-live warns. Not applicable when the Production config uses no certificate.',
    causes: [
      'The Production certificate was issued long before go-live and expires soon after it.',
      'go-live moved later than planned while the certificates stayed the same.',
      'An intermediate or CA certificate in the file expires before the leaf certificate.',
    ],
    fixes: [
      'Renew the certificate before go-live, register the new one in the Production portal and point the config at it.',
      'Rerun with the real date: `golive diff uat.yaml prod.yaml --go-live 2026-12-01`.',
      'Show the dates: `openssl x509 -in prod-signing.pem -noout -dates`.',
    ],
    seeAlso: ['signing.certificate', 'transport.certificate', 'migration.credentials'],
  },
} satisfies Record<MigrationId, MigrationExplanation>;
