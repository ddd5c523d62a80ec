import { createHash, timingSafeEqual } from 'node:crypto';
import type { ResolvedConfig } from '../src/config/types.js';
import { defineMigrationCheck } from '../src/migration/check.js';
import { findingsOutcome, type Difference } from '../src/migration/findings.js';
import { ROLES, type CredentialFacts, type CredentialRole } from '../src/migration/material.js';
import { sharedVariableAdvice, shortFingerprint, variableOf } from '../src/migration/sources.js';
import type { Evidence } from '../src/pipeline/check.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import migrationLoad from './migration.load.js';

/** A value both configs hold: the Production file, and the advice to split the variable both read it from, if they do. */
interface Shared {
  shared?: string;
  prodFile: string;
}

/** A credential role whose key or certificate Production reuses. */
interface Reused {
  role: CredentialRole;
  prodFile: string;
}

const sharedTail = ({ shared }: Shared): string => (shared ? `: ${shared}` : '');

const renew = ({ role, prodFile }: Reused): string =>
  `Generate a new ${role} key for Production, have its certificate issued, register it in the Production portal, and point ${role}.certificate and ${role}.privateKey in ${prodFile} at them.`;

const sameCertificate = {
  message: ({ role, fingerprint, subject }: Reused & { fingerprint: string; subject: string }) =>
    `the ${role} certificate is the same in both configs (SHA-256 ${shortFingerprint(fingerprint)}, ${subject})`,
  hint: renew,
};

const sameKey = {
  message: ({ role, thumbprint }: Reused & { thumbprint: string }) => `the Production ${role} key is the UAT ${role} key (public key thumbprint ${thumbprint})`,
  hint: renew,
};

const notCompared = {
  message: ({ role, unloaded }: Reused & { unloaded: readonly string[] }) =>
    `the ${role} credentials were not compared, as they do not load (${unloaded.join('; ').replace(/\.(?=;|$)/g, '')})`,
  hint: ({ role }: Reused) => `Run golive check --offline on each config for the full diagnosis of its ${role} credentials.`,
};

function findings() {
  return {
    'same-client-id': {
      message: (args: Shared & { clientId: string }) => `client.id is ${args.clientId} in both configs${sharedTail(args)}`,
      hint: ({ prodFile }: Shared) =>
        `Set client.id in ${prodFile} to the client id issued for Production (a UAT client id is unknown to Production: invalid_client).`,
    },
    'same-secret': {
      message: (args: Shared) => `client.secret is the same in both configs (compared by SHA-256 digest; value not shown)${sharedTail(args)}`,
      hint: ({ prodFile }: Shared) =>
        `Use the secret issued with the Production client in ${prodFile}, from a variable set only where Production runs; never reuse a UAT secret.`,
    },
    'same-signing-certificate': sameCertificate,
    'same-transport-certificate': sameCertificate,
    'same-signing-key': sameKey,
    'same-transport-key': sameKey,
    'signing-not-compared': notCompared,
    'transport-not-compared': notCompared,
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** How a secret is shown: where it comes from and its length, never a character of it. */
function describeSecret(config: ResolvedConfig, secret: string): string {
  const name = variableOf(config, ['client', 'secret']);
  return `${name ? `\${${name}}` : 'written in the file'}, length ${secret.length}`;
}

function clientIdFindings(uat: ResolvedConfig, production: ResolvedConfig, prodFile: string): Difference[] {
  if (uat.client.id !== production.client.id) return [];
  const shared = sharedVariableAdvice(uat, production, ['client', 'id']);
  return [
    {
      severity: 'fail',
      field: 'client.id',
      uat: uat.client.id,
      production: production.client.id,
      ...finding.text('same-client-id', { clientId: production.client.id, shared, prodFile }),
    },
  ];
}

function secretFindings(uat: ResolvedConfig, production: ResolvedConfig, prodFile: string): { findings: Difference[]; evidence?: Evidence } {
  const [a, b] = [uat.client.secret, production.client.secret];
  if (a === undefined || b === undefined) return { findings: [] };
  // Digests of equal length, compared in constant time: the comparison itself leaks nothing either.
  const same = timingSafeEqual(digest(a), digest(b));
  const shown = { uat: describeSecret(uat, a), production: describeSecret(production, b) };
  const evidence = { ...shown, comparison: same ? 'same' : 'different' };
  if (!same) return { findings: [], evidence };
  const shared = sharedVariableAdvice(uat, production, ['client', 'secret']);
  return {
    evidence,
    findings: [
      {
        severity: 'fail',
        field: 'client.secret',
        ...shown,
        ...finding.text('same-secret', { shared, prodFile }),
      },
    ],
  };
}

function describeCredential(facts: CredentialFacts): string {
  if (facts.certificate) return `${facts.certificateFile} SHA-256 ${shortFingerprint(facts.certificate.fingerprintSha256)}`;
  if (facts.keyThumbprint) return `${facts.keyFile} key thumbprint ${facts.keyThumbprint}`;
  return `${facts.certificateFile} (not loaded)`;
}

/** The public key thumbprints a credential is known by: its certificate's and its private key's. */
function keyThumbprints(facts: CredentialFacts): Set<string> {
  return new Set([facts.certificateKeyThumbprint, facts.keyThumbprint].filter((value): value is string => value !== undefined));
}

function roleFindings(role: CredentialRole, uat: CredentialFacts, production: CredentialFacts, prodFile: string): Difference[] {
  const both = { field: production.certificateField, uat: describeCredential(uat), production: describeCredential(production) };
  const reused = { role, prodFile };
  if (uat.certificate && production.certificate && uat.certificate.fingerprintSha256 === production.certificate.fingerprintSha256) {
    const { fingerprintSha256: fingerprint, subject } = production.certificate;
    return [{ ...both, severity: 'fail', ...finding.text(`same-${role}-certificate`, { ...reused, fingerprint, subject }) }];
  }
  const shared = [...keyThumbprints(production)].find((thumbprint) => keyThumbprints(uat).has(thumbprint));
  if (shared) {
    return [{ ...both, field: `${role}.privateKey`, severity: 'fail', ...finding.text(`same-${role}-key`, { ...reused, thumbprint: shared }) }];
  }
  const unloaded = [
    ...(production.certificate || production.keyThumbprint ? [] : [`${production.certificateFile}: ${production.certificateProblem ?? production.keyProblem}`]),
    ...(uat.certificate || uat.keyThumbprint ? [] : [`${uat.certificateFile} (UAT): ${uat.certificateProblem ?? uat.keyProblem}`]),
  ];
  if (unloaded.length > 0) return [{ ...both, severity: 'warn', ...finding.text(`${role}-not-compared`, { ...reused, unloaded }) }];
  return [];
}

export default defineMigrationCheck({
  id: 'migration.credentials',
  title: 'Production has its own credentials',
  needs: [migrationLoad],
  explain: {
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
  run(ctx, deps) {
    const { uat, production, loaded } = deps['migration.load'];
    const prodFile = ctx.configs.production.shown;
    const findings = clientIdFindings(uat, production, prodFile);
    const evidence: Evidence = { clientId: { uat: uat.client.id, production: production.client.id } };
    const secret = secretFindings(uat, production, prodFile);
    findings.push(...secret.findings);
    if (secret.evidence) evidence.secret = secret.evidence;

    const compared: string[] = ['client id', ...(secret.evidence ? ['client secret'] : [])];
    for (const role of ROLES) {
      const [uatFacts, productionFacts] = [loaded.uat.credentials[role], loaded.production.credentials[role]];
      if (!productionFacts) continue;
      if (!uatFacts) {
        evidence[role] = { uat: 'not used', production: describeCredential(productionFacts), comparison: 'new in Production' };
        continue;
      }
      const found = roleFindings(role, uatFacts, productionFacts, prodFile);
      findings.push(...found);
      evidence[role] = {
        uat: describeCredential(uatFacts),
        production: describeCredential(productionFacts),
        comparison: found.length === 0 ? 'different' : found[0]!.severity === 'fail' ? 'same' : 'not compared',
      };
      if (found.length === 0) compared.push(`${role} key and certificate`);
    }
    const list = compared.length > 1 ? `${compared.slice(0, -1).join(', ')} and ${compared[compared.length - 1]}` : compared[0]!;
    return findingsOutcome(findings, evidence, `Production has its own ${list}.`);
  },
});
