import path from 'node:path';
import type { CredentialFiles, ResolvedConfig } from '../src/config/types.js';
import { loadCertificate, loadCertificateFromBundle } from '../src/credentials/certificates.js';
import type { CredentialFinding } from '../src/credentials/findings.js';
import { loadPrivateKey } from '../src/credentials/keys.js';
import { certificateKeyThumbprint, keyMatchesCertificate } from '../src/credentials/match.js';
import type { CertificateFacts, KeyFacts, KeyPair, LoadedCertificate, LoadedKey } from '../src/credentials/types.js';
import { fail, notApplicable, pass, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import type { RunContext } from '../src/pipeline/context.js';
import { isSandboxIssuer } from '../src/profiles/thredd.js';

// The signing and transport checks differ only in which config section they
// read and what the certificate must allow; both roles share this module.

export type CredentialRole = 'signing' | 'transport';

const DAY_MS = 86_400_000;

/** Which key type each JWS algorithm needs (RFC 7518, RFC 8037). */
const JWS_ALGORITHMS: Record<string, { needs: string; fits(facts: KeyFacts): boolean }> = {
  ...Object.fromEntries(
    ['RS256', 'RS384', 'RS512'].map((alg) => [alg, { needs: 'an RSA key', fits: (facts: KeyFacts) => facts.type === 'rsa' }]),
  ),
  ...Object.fromEntries(
    ['PS256', 'PS384', 'PS512'].map((alg) => [
      alg,
      { needs: 'an RSA key', fits: (facts: KeyFacts) => facts.type === 'rsa' || facts.type === 'rsa-pss' },
    ]),
  ),
  ES256: { needs: 'an EC P-256 key', fits: (facts) => facts.type === 'ec' && facts.curve === 'P-256' },
  ES384: { needs: 'an EC P-384 key', fits: (facts) => facts.type === 'ec' && facts.curve === 'P-384' },
  ES512: { needs: 'an EC P-521 key', fits: (facts) => facts.type === 'ec' && facts.curve === 'P-521' },
  EdDSA: { needs: 'an Ed25519 or Ed448 key', fits: (facts) => facts.type === 'ed25519' || facts.type === 'ed448' },
};

function algorithmsFor(facts: KeyFacts): string[] {
  return Object.keys(JWS_ALGORITHMS).filter((alg) => JWS_ALGORITHMS[alg]!.fits(facts));
}

function oneOf(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : (names[0] ?? '');
}

function describeKey(facts: KeyFacts): string {
  if (facts.bits !== undefined) return `a ${facts.bits}-bit ${facts.type === 'rsa-pss' ? 'RSA-PSS' : 'RSA'} key`;
  if (facts.curve !== undefined) return `an EC ${facts.curve} key`;
  return `an ${facts.type} key`;
}

function isoDate(iso: string): string {
  return iso.slice(0, 10);
}

interface OfRole {
  role: CredentialRole;
}
interface OfKeyFile extends OfRole {
  file: string;
  key: KeyFacts;
}
interface OfAlgorithm {
  algorithm: string;
  key: KeyFacts;
}
interface OfCertificateFile extends OfRole {
  file: string;
  certificate: CertificateFacts;
}

// What a credential check finds beyond the loaders' own findings, whose
// problem kind (`passphrase-wrong`, `pem-malformed`, ...) is their code.
function findings() {
  return {
    'no-section': {
      message: ({ role }: OfRole) =>
        `The config has no ${role} section, but ${role === 'signing' ? 'private_key_jwt clients sign their assertions' : 'mtls connectivity presents a client certificate'}.`,
      hint: ({ role }: OfRole) => `Add ${role}.privateKey and ${role}.certificate to the config.`,
    },
    'rsa-too-short': {
      message: ({ file, key }: OfKeyFile) => `${file} is ${describeKey(key)}; at least 2048 bits are required.`,
      hint: ({ role }: OfKeyFile) =>
        `Generate a new key of 2048 bits or more (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048), have its certificate issued and set ${role}.privateKey to it.`,
    },
    'unknown-algorithm': {
      message: ({ algorithm }: OfAlgorithm) =>
        `signing.algorithm "${algorithm}" is not an asymmetric JWS algorithm golive knows (${Object.keys(JWS_ALGORITHMS).join(', ')}).`,
      hint: ({ key }: OfAlgorithm) =>
        `Set signing.algorithm to the algorithm registered for the client; for ${describeKey(key)} that is ${oneOf(algorithmsFor(key))}.`,
    },
    'algorithm-key-mismatch': {
      message: ({ algorithm, needs, file, key }: OfAlgorithm & { needs: string; file: string }) =>
        `signing.algorithm ${algorithm} needs ${needs}, but ${file} is ${describeKey(key)}.`,
      hint: ({ algorithm, needs, key }: OfAlgorithm & { needs: string }) => {
        const fitting = algorithmsFor(key);
        return `Set signing.algorithm to ${fitting.length > 0 ? oneOf(fitting) : 'an algorithm this key supports'}, or use ${needs} for ${algorithm}.`;
      },
    },
    'repaired-pem': {
      message: ({ file, repaired }: { file: string; repaired: string[] }) =>
        `${file} is not clean PEM and loads only because golive repaired it in memory (${repaired.join('; ')}).`,
      hint: () =>
        'Rewrite the file as plain PEM (LF line breaks, BEGIN and END lines on their own lines, base64 wrapped at 64 characters): other tools will not repair it.',
    },
    'not-yet-valid': {
      message: ({ file, certificate, now }: { file: string; certificate: CertificateFacts; now: string }) =>
        `${file} (${certificate.subject}) is not valid until ${certificate.notBefore}; it is now ${now}.`,
      hint: () => "Check this machine's clock, or wait until the certificate becomes valid before going live.",
    },
    expired: {
      message: ({ file, certificate }: OfCertificateFile) => `${file} (${certificate.subject}) expired on ${isoDate(certificate.notAfter)}.`,
      hint: ({ role }: OfCertificateFile) => `Renew the certificate, register the new one in the portal and set ${role}.certificate to it.`,
    },
    'no-digital-signature': {
      message: ({ file, keyUsage, role }: OfRole & { file: string; keyUsage: string[] }) =>
        `${file} has key usage ${keyUsage.join(', ') || '(none)'} without digitalSignature, so it cannot ${role === 'signing' ? 'sign client assertions' : 'authenticate a TLS client'}.`,
      hint: ({ role }: OfRole) => `Have the ${role} certificate issued with the digitalSignature key usage.`,
    },
    'no-client-auth': {
      message: ({ file, extKeyUsage }: { file: string; extKeyUsage: string[] }) =>
        `${file} has extended key usage ${extKeyUsage.join(', ') || '(none)'} without clientAuth, so servers refuse it for TLS client authentication.`,
      hint: () => 'Have the transport certificate issued with the clientAuth extended key usage (TLS Web Client Authentication).',
    },
    'sandbox-issuer-in-production': {
      message: ({ file, certificate }: OfCertificateFile) =>
        `${file} was issued by ${certificate.issuer}, a sandbox or test CA, but this is a Production config.`,
      hint: ({ role }: OfCertificateFile) => `Set ${role}.certificate to the Production certificate issued for this client.`,
    },
    'expires-soon': {
      message: ({ file, certificate, daysLeft }: { file: string; certificate: CertificateFacts; daysLeft: number }) =>
        `${file} (${certificate.subject}) expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'}, on ${isoDate(certificate.notAfter)}.`,
      hint: ({ certificate }: { certificate: CertificateFacts }) => `Renew the certificate and register the new one before ${isoDate(certificate.notAfter)}.`,
    },
    'key-certificate-mismatch': {
      message: ({ role, key, certificate }: OfRole & { key: KeyFacts; certificate: CertificateFacts; bundledMatch: boolean }) =>
        `The ${role} key (thumbprint ${key.thumbprint}) does not belong to the ${role} certificate ${certificate.subject} (SHA-256 ${certificate.fingerprintSha256}).`,
      hint: ({ role, bundledMatch }: OfRole & { bundledMatch: boolean }) =>
        bundledMatch
          ? `The bundle in ${role}.privateKey carries the right certificate: remove ${role}.certificate, or set it to that certificate.`
          : `Set ${role}.privateKey to the key this certificate was issued for, or ${role}.certificate to the certificate issued for this key.`,
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

interface Applicable {
  files: CredentialFiles;
  display(file: string): string;
}

/** The role's files, or the outcome when the role does not apply or is not configured. */
function credentialsFor(role: CredentialRole, resolved: ResolvedConfig): Applicable | CheckOutcome<never> {
  if (role === 'signing' && resolved.client.authMethod !== 'private_key_jwt') {
    return notApplicable(`${resolved.client.authMethod} clients do not sign`);
  }
  if (role === 'transport' && resolved.connectivity !== 'mtls') {
    return notApplicable('TLS connectivity presents no client certificate');
  }
  const files = resolved[role];
  if (!files) {
    // What made the section necessary: the auth method for signing, the connectivity for transport.
    const evidence = { section: role, authMethod: resolved.client.authMethod, connectivity: resolved.connectivity, environment: resolved.environment };
    return finding.fail('no-section', { role }, evidence);
  }
  return { files, display: (file) => path.relative(resolved.parsed.dir, file) || path.basename(file) };
}

/** A loader's finding as the check's result: its problem kind is the code. */
function loadFailure(loaderFinding: CredentialFinding, file: string): CheckOutcome<never> {
  const { problem, message, hint, evidence } = loaderFinding;
  return fail({ code: problem, message, hint, evidence: { file, problem, ...evidence } });
}

/** `<role>.key`: the private key loads, is strong enough and (signing) fits the algorithm. */
export async function checkKey(role: CredentialRole, resolved: ResolvedConfig): Promise<CheckOutcome<LoadedKey | undefined>> {
  const applicable = credentialsFor(role, resolved);
  if (!('files' in applicable)) return applicable;
  const file = applicable.display(applicable.files.privateKey);
  const loaded = await loadPrivateKey(applicable.files.privateKey, applicable.files.passphrase, { displayName: file, section: role });
  if (!loaded.ok) return loadFailure(loaded.finding, file);
  const key = loaded.value;
  const { facts } = key;
  const evidence: Evidence = { file, ...facts };

  if ((facts.type === 'rsa' || facts.type === 'rsa-pss') && facts.bits !== undefined && facts.bits < 2048) {
    return finding.fail('rsa-too-short', { role, file, key: facts }, evidence);
  }
  if (role === 'signing') {
    const algorithm = resolved.signing?.algorithm ?? '';
    const rule = JWS_ALGORITHMS[algorithm];
    if (!rule) return finding.fail('unknown-algorithm', { algorithm, key: facts }, { ...evidence, algorithm });
    if (!rule.fits(facts)) {
      return finding.fail('algorithm-key-mismatch', { algorithm, needs: rule.needs, file, key: facts }, { ...evidence, algorithm });
    }
  }
  if (loaded.repaired.length > 0) return finding.warn('repaired-pem', { file, repaired: loaded.repaired }, evidence, key);
  return pass(key, evidence);
}

function validityProblem(ctx: RunContext, file: string, facts: CertificateFacts, role: CredentialRole): CheckOutcome<never> | undefined {
  const now = ctx.now();
  const nowIso = new Date(now).toISOString();
  const evidence: Evidence = { file, ...facts, now: nowIso };
  if (now < Date.parse(facts.notBefore)) return finding.fail('not-yet-valid', { file, certificate: facts, now: nowIso }, evidence);
  if (now > Date.parse(facts.notAfter)) return finding.fail('expired', { role, file, certificate: facts }, evidence);
  return undefined;
}

function usageProblem(role: CredentialRole, file: string, facts: CertificateFacts, evidence: Evidence): CheckOutcome<never> | undefined {
  const { keyUsage, extKeyUsage } = facts;
  if (role === 'signing' && keyUsage && !keyUsage.includes('digitalSignature')) {
    return finding.fail('no-digital-signature', { role, file, keyUsage }, evidence);
  }
  if (role === 'transport') {
    if (extKeyUsage && !extKeyUsage.includes('clientAuth') && !extKeyUsage.includes('anyExtendedKeyUsage')) {
      return finding.fail('no-client-auth', { file, extKeyUsage }, evidence);
    }
    // OpenSSL's TLS client purpose needs one of these where keyUsage is present.
    if (keyUsage && !keyUsage.includes('digitalSignature') && !keyUsage.includes('keyAgreement')) {
      return finding.fail('no-digital-signature', { role, file, keyUsage }, evidence);
    }
  }
  return undefined;
}

/** `<role>.certificate`: parses, is inside its validity window, allows its use, and fits the environment. */
export async function checkCertificate(
  ctx: RunContext,
  role: CredentialRole,
  resolved: ResolvedConfig,
): Promise<CheckOutcome<LoadedCertificate | undefined>> {
  const applicable = credentialsFor(role, resolved);
  if (!('files' in applicable)) return applicable;
  const { files } = applicable;
  const file = applicable.display(files.certificate ?? files.privateKey);
  const options = { displayName: file, section: role };
  const loaded = files.certificate
    ? await loadCertificate(files.certificate, { ...options, ...(files.passphrase ? { passphrase: files.passphrase } : {}) })
    : await loadCertificateFromBundle(files.privateKey, files.passphrase, options);
  if (!loaded.ok) return loadFailure(loaded.finding, file);
  const certificate = loaded.value;
  const { facts } = certificate;
  const evidence: Evidence = { file, ...facts, ...(loaded.repaired.length > 0 ? { repaired: loaded.repaired } : {}) };

  const problem = validityProblem(ctx, file, facts, role) ?? usageProblem(role, file, facts, evidence);
  if (problem) return problem;
  if (resolved.environment === 'production' && isSandboxIssuer(facts.issuer)) {
    return finding.fail('sandbox-issuer-in-production', { role, file, certificate: facts }, evidence);
  }
  const daysLeft = Math.floor((Date.parse(facts.notAfter) - ctx.now()) / DAY_MS);
  if (daysLeft < resolved.expiryWarningDays) {
    return finding.warn(
      'expires-soon',
      { file, certificate: facts, daysLeft },
      { ...evidence, daysLeft, expiryWarningDays: resolved.expiryWarningDays },
      certificate,
    );
  }
  if (loaded.repaired.length > 0) return finding.warn('repaired-pem', { file, repaired: loaded.repaired }, evidence, certificate);
  return pass(certificate, evidence);
}

/** `<role>.keypair`: the private key belongs to the certificate. */
export function checkKeyPair(
  role: CredentialRole,
  key: LoadedKey | undefined,
  certificate: LoadedCertificate | undefined,
): CheckOutcome<KeyPair | undefined> {
  if (!key || !certificate) {
    return notApplicable(role === 'signing' ? 'no signing key and certificate in this config' : 'no transport key and certificate in this config');
  }
  const { facts } = certificate;
  const evidence: Evidence = {
    keyThumbprint: key.facts.thumbprint,
    certificateKeyThumbprint: certificateKeyThumbprint(certificate.certificate),
    subject: facts.subject,
    fingerprintSha256: facts.fingerprintSha256,
    x5tS256: facts.x5tS256,
  };
  if (keyMatchesCertificate(key, certificate.certificate)) {
    return pass({ key, certificate }, evidence, `The ${role} key (thumbprint ${key.facts.thumbprint}) belongs to ${facts.subject}.`);
  }
  const bundledMatch = key.bundledCertificates?.some((bundled) => keyMatchesCertificate(key, bundled)) ?? false;
  return finding.fail('key-certificate-mismatch', { role, key: key.facts, certificate: facts, bundledMatch }, evidence);
}
