import type { X509Certificate } from 'node:crypto';
import path from 'node:path';
import type { CredentialFiles, ResolvedConfig } from '../src/config/types.js';
import { certificateFacts, formatDistinguishedName, loadCertificate, loadCertificateFromBundle } from '../src/credentials/certificates.js';
import type { CredentialFinding } from '../src/credentials/findings.js';
import { loadPrivateKey } from '../src/credentials/keys.js';
import { isInOrder, orderCertificates } from '../src/credentials/chain.js';
import { describeKey } from '../src/credentials/key-types.js';
import { judgeIssuer, lifetimeDays, type IssuerJudgement } from '../src/credentials/issuer.js';
import { certificateKeyThumbprint, keyMatchesCertificate } from '../src/credentials/match.js';
import type { CertificateFacts, KeyFacts, KeyPair, LoadedCertificate, LoadedKey } from '../src/credentials/types.js';
import { fail, notApplicable, pass, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import { combine, findingsOf, type Finding, type FindingTable } from '../src/pipeline/findings.js';
import type { RunContext } from '../src/pipeline/context.js';
import { isSandboxIssuer, THREDD } from '../src/profiles/thredd.js';

// The signing and transport checks differ only in which config section they
// read and what the certificate must allow; both roles share this module.

export type CredentialRole = 'signing' | 'transport';

const DAY_MS = 86_400_000;

interface AlgorithmRule {
  needs: string;
  /** The OpenSSL command that generates such a key. */
  generate: string;
  fits(facts: KeyFacts): boolean;
}

const GENERATE_RSA = 'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048';
const generateEc = (curve: string) => `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:${curve}`;

/** Which key type each JWS algorithm needs (RFC 7518, RFC 8037). */
const JWS_ALGORITHMS: Record<string, AlgorithmRule> = {
  ...Object.fromEntries(
    ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'].map((alg) => [
      alg,
      { needs: 'an RSA key', generate: GENERATE_RSA, fits: (facts: KeyFacts) => facts.type === 'rsa' },
    ]),
  ),
  ES256: { needs: 'an EC P-256 key', generate: generateEc('P-256'), fits: (facts) => facts.type === 'ec' && facts.curve === 'P-256' },
  ES384: { needs: 'an EC P-384 key', generate: generateEc('P-384'), fits: (facts) => facts.type === 'ec' && facts.curve === 'P-384' },
  ES512: { needs: 'an EC P-521 key', generate: generateEc('P-521'), fits: (facts) => facts.type === 'ec' && facts.curve === 'P-521' },
  EdDSA: { needs: 'an Ed25519 key', generate: 'openssl genpkey -algorithm ED25519', fits: (facts) => facts.type === 'ed25519' },
};

/** The algorithms a key can sign, among those the profile's platform takes (any, for `custom`). */
function algorithmsFor(facts: KeyFacts, profile: string): string[] {
  const offered: readonly string[] = profile === 'thredd' ? THREDD.assertionAlgorithms : Object.keys(JWS_ALGORITHMS);
  return offered.filter((alg) => JWS_ALGORITHMS[alg]?.fits(facts));
}

function oneOf(names: readonly string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : (names[0] ?? '');
}

/** Subjects in a sentence: "A and B", or "A; B; and C" (a subject holds commas of its own). */
function subjectList(subjects: readonly string[]): string {
  if (subjects.length <= 2) return subjects.join(' and ');
  return `${subjects.slice(0, -1).join('; ')}; and ${subjects[subjects.length - 1]}`;
}

/**
 * Signing keys golive does not sign client assertions with, though they load:
 * RSA-PSS-only keys (a JWK cannot carry the restriction; on Node 20 jose
 * cannot even import them), Ed448 (jose signs EdDSA with Ed25519 only), and
 * on the thredd profile Ed25519 (Thredd's assertions are RS256, PS256 or ES256).
 */
type UnsignableReason = 'rsa-pss' | 'ed448' | 'not-thredd';

/** EC curves TLS 1.3 signs with (RFC 8446 4.2.3); a client certificate on another curve is never sent. */
const TLS_CURVES: ReadonlySet<string> = new Set(['P-256', 'P-384', 'P-521']);

function unsignableReason(facts: KeyFacts, profile: string): UnsignableReason | undefined {
  if (facts.type === 'rsa-pss' || facts.type === 'ed448') return facts.type;
  if (profile === 'thredd' && facts.type === 'ed25519') return 'not-thredd';
  return undefined;
}

/** TLS signature schemes a transport key needs that many servers do not offer (RFC 8446 4.2.3). */
const UNCOMMON_TLS_SCHEMES: ReadonlyMap<string, string> = new Map([
  ['rsa-pss', 'rsa_pss_pss'],
  ['ed25519', 'Ed25519'],
  ['ed448', 'Ed448'],
]);

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
  profile: string;
}
interface OfCertificateFile extends OfRole {
  file: string;
  certificate: CertificateFacts;
}
interface OfChainOrder extends OfRole {
  file: string;
  /** Subjects as the file lists them. */
  listed: string[];
  /** Subjects as golive sends them: the leaf, then up the issuing path. */
  sent: string[];
  /** Where the file lists the leaf, from 1. */
  leafPosition: number;
  /** Subjects of the certificates the file lists more than once. */
  repeated: string[];
}
interface OfIssuer extends OfCertificateFile {
  profile: string;
}
interface OfPublicCa extends OfIssuer {
  judgement: IssuerJudgement;
}
interface OfLifetime extends OfIssuer {
  lifetimeDays: number;
}
interface OfMismatch extends OfRole {
  key: KeyFacts;
  certificate: CertificateFacts;
  bundledMatch: boolean;
  /** The CA certificate the key belongs to instead, when the file has one. */
  caSubject?: string;
}

/** Thredd's rule on who issues client certificates, as its documentation words it. */
const ISSUER_RULE = `Thredd's rule: client certificates come from Thredd's CA, and "self-signed or third-party certificates may result in Thredd refusing connections".`;

function publicCaReason({ placedBy, publicRoot, organisation }: IssuerJudgement): string {
  if (placedBy === 'issuer-is-root') return `${publicRoot} is a root of Node's public root store`;
  if (placedBy === 'chain-reaches-root') return `the chain in the file reaches ${publicRoot}, a root of Node's public root store`;
  return `${organisation}, whose root ${publicRoot} is in Node's public root store`;
}

function requestFromThredd({ role, profile }: OfIssuer): string {
  return profile === 'custom'
    ? `Have the platform's CA issue the ${role} certificate from a certificate signing request (CSR) for the ${role} key, and set ${role}.certificate to it.`
    : `Request the ${role} certificate in Thredd Portal: create a certificate signing request (CSR) for the ${role} key, submit it there, and set ${role}.certificate to the certificate Thredd's CA issues (valid ${THREDD.certificateLifetimeDays} days).`;
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
        `Generate a new key of 2048 bits or more (${GENERATE_RSA}), have its certificate issued and set ${role}.privateKey to it.`,
    },
    'key-unsupported': {
      message: ({ file, key, reason }: OfKeyFile & { reason: UnsignableReason | 'tls-curve'; profile: string }) => {
        if (reason === 'tls-curve') {
          return `${file} is ${describeKey(key)}; TLS 1.3 signs with EC keys on P-256, P-384 and P-521 only, so a TLS 1.3 client does not send its certificate and TLS 1.2 servers refuse the curve.`;
        }
        if (reason === 'rsa-pss') {
          return `${file} is ${describeKey(key)} (OID id-RSASSA-PSS, restricted to PSS signatures); golive does not sign client assertions with such keys, as a JWK cannot carry that restriction and JOSE libraries read RSA keys in their plain rsaEncryption form.`;
        }
        if (reason === 'ed448') return `${file} is ${describeKey(key)}; golive cannot sign client assertions with it, as its JOSE library signs EdDSA with Ed25519 keys only.`;
        return `${file} is ${describeKey(key)}, but Thredd's client assertions are ${oneOf(THREDD.assertionAlgorithms)}, which need an RSA or EC P-256 key.`;
      },
      hint: ({ profile, reason }: { profile: string; reason: UnsignableReason | 'tls-curve' }) =>
        reason === 'tls-curve'
          ? `Use an RSA key of 2048 bits or more or an EC P-256 key: generate one (${generateEc('P-256')}), have the transport certificate issued for it and set transport.privateKey to it.`
          : `${profile === 'thredd' ? 'Thredd needs' : 'Use'} an RSA key of 2048 bits or more (RS256, PS256) or an EC P-256 key (ES256): generate one (${GENERATE_RSA}), have its certificate issued and registered, and set signing.privateKey to it.`,
    },
    'unknown-algorithm': {
      message: ({ algorithm }: OfAlgorithm) =>
        `signing.algorithm "${algorithm}" is not an asymmetric JWS algorithm golive knows (${Object.keys(JWS_ALGORITHMS).join(', ')}).`,
      hint: ({ key, profile }: OfAlgorithm) =>
        `Set signing.algorithm to the algorithm registered for the client; for ${describeKey(key)} that is ${oneOf(algorithmsFor(key, profile))}.`,
    },
    'algorithm-key-mismatch': {
      message: ({ algorithm, file, key }: OfAlgorithm & { file: string }) =>
        `signing.algorithm ${algorithm} needs ${JWS_ALGORITHMS[algorithm]!.needs}, but ${file} is ${describeKey(key)}.`,
      hint: ({ algorithm, key, profile }: OfAlgorithm) => {
        const { needs, generate } = JWS_ALGORITHMS[algorithm]!;
        const fitting = algorithmsFor(key, profile);
        if (fitting.length > 0) return `Set signing.algorithm to ${oneOf(fitting)}, or use ${needs} for ${algorithm}.`;
        const platform = profile === 'thredd' ? ` (Thredd's client assertions are ${oneOf(THREDD.assertionAlgorithms)})` : '';
        return `Use ${needs} for ${algorithm}${platform}: generate one (${generate}), have its certificate issued and registered, and set signing.privateKey to it.`;
      },
    },
    'key-type-uncommon': {
      message: ({ file, key, scheme }: OfKeyFile & { scheme: string }) =>
        `${file} is ${describeKey(key)}: a TLS server accepts its certificate only when it offers ${scheme} signatures, and many servers and gateways offer only RSA and ECDSA.`,
      hint: () =>
        'If network.token-endpoint or network.api-endpoint reports the client certificate refused, have the transport certificate issued for an RSA key of 2048 bits or more or an EC P-256 key, which every TLS stack accepts.',
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
    'self-signed': {
      message: ({ file, certificate }: OfIssuer) => `${file} (${certificate.subject}) is self-signed: it is its own issuer. ${ISSUER_RULE}`,
      hint: (args: OfIssuer) => requestFromThredd(args),
    },
    'third-party-issuer': {
      message: ({ file, certificate, judgement }: OfPublicCa) =>
        `${file} (${certificate.subject}) was issued by ${certificate.issuer}, a third-party CA (${publicCaReason(judgement)}), not by Thredd's CA. ${ISSUER_RULE}`,
      hint: (args: OfPublicCa) =>
        `${requestFromThredd(args)} If this CA is Thredd's for your deployment, add its name to thredd.issuers in the config.`,
    },
    'lifetime-too-long': {
      message: ({ file, certificate, lifetimeDays }: OfLifetime) =>
        `${file} (${certificate.subject}) is valid for ${lifetimeDays} days (${isoDate(certificate.notBefore)} to ${isoDate(certificate.notAfter)}): Thredd issues certificates valid for ${THREDD.certificateLifetimeDays} days, so one valid for more than ${THREDD.maxCertificateLifetimeDays} was not issued the way Thredd issues them.`,
      hint: (args: OfLifetime) => requestFromThredd(args),
    },
    'expires-soon': {
      message: ({ file, certificate, daysLeft }: { file: string; certificate: CertificateFacts; daysLeft: number }) =>
        `${file} (${certificate.subject}) expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'}, on ${isoDate(certificate.notAfter)}.`,
      hint: ({ certificate }: { certificate: CertificateFacts }) => `Renew the certificate and register the new one before ${isoDate(certificate.notAfter)}.`,
    },
    'key-certificate-mismatch': {
      message: ({ role, key, certificate, caSubject }: OfMismatch) =>
        `The ${role} key (thumbprint ${key.thumbprint}) does not belong to the ${role} certificate ${certificate.subject} (SHA-256 ${certificate.fingerprintSha256})${
          caSubject === undefined ? '' : ` but to the CA certificate ${caSubject} listed with it`
        }.`,
      hint: ({ role, bundledMatch, certificate, caSubject }: OfMismatch) => {
        if (caSubject !== undefined) {
          return `Set ${role}.privateKey to the key ${certificate.subject} was issued for: a CA's key issues certificates and is never the ${role} key.`;
        }
        return bundledMatch
          ? `The bundle in ${role}.privateKey carries the right certificate: remove ${role}.certificate, or set it to that certificate.`
          : `Set ${role}.privateKey to the key this certificate was issued for, or ${role}.certificate to the certificate issued for this key.`;
      },
    },
    'chain-order': {
      message: ({ role, file, listed, sent, leafPosition, repeated }: OfChainOrder) => {
        if (repeated.length > 0) {
          return `${file} lists ${subjectList(repeated)} more than once; golive sends each certificate once, the ${role} certificate ${sent[0]} first.`;
        }
        if (leafPosition > 1) {
          return `${file} lists the ${role} certificate ${sent[0]} as certificate ${leafPosition} of ${listed.length}, after ${subjectList(listed.slice(0, leafPosition - 1))}; golive uses it as the leaf, since the ${role} key belongs to it.`;
        }
        return `${file} lists the certificates after the ${role} certificate out of issuing order (${subjectList(listed.slice(1))}); golive sends them in issuing order (${subjectList(sent.slice(1))}).`;
      },
      hint: ({ role, file, repeated }: OfChainOrder) =>
        `${repeated.length > 0 ? `Keep one copy of each certificate in ${file}, the leaf first` : `Put the leaf certificate first in ${file}`}, then the intermediates, each followed by the one that issued it: ${
          role === 'transport'
            ? 'many TLS stacks send the file as it is, the first certificate as the client certificate, and the handshake fails when the key does not belong to it.'
            : 'many tools take the first certificate as the one the key belongs to, as a JWKS x5c lists it first.'
        }`,
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
export async function checkKey(ctx: RunContext, role: CredentialRole, resolved: ResolvedConfig): Promise<CheckOutcome<LoadedKey | undefined>> {
  const applicable = credentialsFor(role, resolved);
  if (!('files' in applicable)) return applicable;
  const file = applicable.display(applicable.files.privateKey);
  const loaded = await loadPrivateKey(applicable.files.privateKey, applicable.files.passphrase, { displayName: file, section: role, memo: ctx.credentials });
  if (!loaded.ok) return loadFailure(loaded.finding, file);
  const key = loaded.value;
  const { facts } = key;
  const evidence: Evidence = { file, ...facts };

  if ((facts.type === 'rsa' || facts.type === 'rsa-pss') && facts.bits !== undefined && facts.bits < 2048) {
    return finding.fail('rsa-too-short', { role, file, key: facts }, evidence);
  }
  const warnings: Finding[] = [];
  if (role === 'signing') {
    const { profile } = resolved;
    const algorithm = resolved.signing?.algorithm ?? '';
    const signingEvidence = { ...evidence, algorithm, profile };
    const reason = unsignableReason(facts, profile);
    if (reason) return finding.fail('key-unsupported', { role, file, key: facts, reason, profile }, signingEvidence);
    // signing.algorithm is the user's string: never a key of a plain object unless it is its own.
    const rule = Object.hasOwn(JWS_ALGORITHMS, algorithm) ? JWS_ALGORITHMS[algorithm] : undefined;
    if (!rule) return finding.fail('unknown-algorithm', { algorithm, key: facts, profile }, signingEvidence);
    if (!rule.fits(facts)) return finding.fail('algorithm-key-mismatch', { algorithm, file, key: facts, profile }, signingEvidence);
  } else {
    if (facts.type === 'ec' && !TLS_CURVES.has(facts.curve ?? '')) {
      return finding.fail('key-unsupported', { role, file, key: facts, reason: 'tls-curve', profile: resolved.profile }, evidence);
    }
    const scheme = UNCOMMON_TLS_SCHEMES.get(facts.type);
    if (scheme) warnings.push(finding.text('key-type-uncommon', { role, file, key: facts, scheme }));
  }
  if (loaded.repaired.length > 0) warnings.push(finding.text('repaired-pem', { file, repaired: loaded.repaired }));
  const [first, ...more] = warnings;
  return first ? combine('warn', [first, ...more], evidence, key) : pass(key, evidence);
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
  const options = { displayName: file, section: role, memo: ctx.credentials };
  const loaded = files.certificate
    ? await loadCertificate(files.certificate, { ...options, ...(files.passphrase ? { passphrase: files.passphrase } : {}) })
    : await loadCertificateFromBundle(files.privateKey, files.passphrase, options);
  if (!loaded.ok) return loadFailure(loaded.finding, file);
  const certificate = loaded.value;
  const { facts } = certificate;
  const evidence: Evidence = { file, ...facts, ...(loaded.repaired.length > 0 ? { repaired: loaded.repaired } : {}) };

  const problem = validityProblem(ctx, file, facts, role) ?? usageProblem(role, file, facts, evidence);
  if (problem) return problem;
  // A self-signed certificate has no CA, sandbox or other: its own finding below says so.
  if (resolved.environment === 'production' && !facts.selfSigned && isSandboxIssuer(facts.issuer)) {
    return finding.fail('sandbox-issuer-in-production', { role, file, certificate: facts }, evidence);
  }
  const { profile } = resolved;
  const judgement = await judgeIssuer({
    certificate: certificate.certificate,
    chain: certificate.chain,
    printedIssuer: facts.issuer,
    selfSigned: facts.selfSigned,
    knownIssuers: profile === 'thredd' ? [...THREDD.issuers, ...resolved.thredd.issuers] : [],
    judgeThirdParty: profile === 'thredd',
  });
  const lifetime = lifetimeDays(facts.notBefore, facts.notAfter);
  const daysLeft = Math.floor((Date.parse(facts.notAfter) - ctx.now()) / DAY_MS);
  const expiring = daysLeft < resolved.expiryWarningDays;
  const judged: Evidence = {
    ...evidence,
    issuerKind: judgement.kind,
    ...(judgement.publicRoot !== undefined && { publicRoot: judgement.publicRoot }),
    lifetimeDays: lifetime,
    ...(expiring && { daysLeft, expiryWarningDays: resolved.expiryWarningDays }),
  };
  const args = { role, file, certificate: facts, profile };
  // Self-signed and third-party certificates may be refused: fix before go-live in UAT, a failure in Production.
  const issuerFinding =
    judgement.kind === 'self-signed'
      ? finding.text('self-signed', args)
      : judgement.kind === 'public-ca'
        ? finding.text('third-party-issuer', { ...args, judgement })
        : undefined;
  const warnings: Finding[] = [];
  if (lifetime > THREDD.maxCertificateLifetimeDays) warnings.push(finding.text('lifetime-too-long', { ...args, lifetimeDays: lifetime }));
  if (expiring) warnings.push(finding.text('expires-soon', { file, certificate: facts, daysLeft }));
  if (loaded.repaired.length > 0) warnings.push(finding.text('repaired-pem', { file, repaired: loaded.repaired }));
  if (issuerFinding && resolved.environment === 'production') return combine('fail', [issuerFinding, ...warnings], judged);
  const [first, ...more] = issuerFinding ? [issuerFinding, ...warnings] : warnings;
  if (first) return combine('warn', [first, ...more], judged, certificate);
  return pass(certificate, judged, `${facts.subject}, issued by ${issuedBy(facts, judgement)}, valid until ${isoDate(facts.notAfter)} (${daysLeft} days).`);
}

function issuedBy(facts: CertificateFacts, judgement: IssuerJudgement): string {
  return judgement.kind === 'thredd' ? `${facts.issuer} (a Thredd CA golive knows)` : facts.issuer;
}

/** `<role>.keypair`: the private key belongs to the certificate. */
export function checkKeyPair(
  ctx: RunContext,
  role: CredentialRole,
  key: LoadedKey | undefined,
  certificate: LoadedCertificate | undefined,
): CheckOutcome<KeyPair | undefined> {
  if (!key || !certificate) {
    return notApplicable(role === 'signing' ? 'no signing key and certificate in this config' : 'no transport key and certificate in this config');
  }
  const evidenceFor = ({ certificate: leaf, facts }: LoadedCertificate): Evidence => ({
    keyThumbprint: key.facts.thumbprint,
    certificateKeyThumbprint: certificateKeyThumbprint(leaf),
    subject: facts.subject,
    fingerprintSha256: facts.fingerprintSha256,
    x5tS256: facts.x5tS256,
  });
  // The leaf is the certificate the key belongs to, wherever the file lists it.
  const all = [certificate.certificate, ...certificate.chain] as const;
  const own = all.find((candidate) => keyMatchesCertificate(key, candidate));
  if (!own) {
    const bundledMatch = key.bundledCertificates?.some((bundled) => keyMatchesCertificate(key, bundled)) ?? false;
    return finding.fail('key-certificate-mismatch', { role, key: key.facts, certificate: certificate.facts, bundledMatch }, evidenceFor(certificate));
  }
  // A key that belongs to a CA certificate beside an end-entity one is the issuer's key, not the client's.
  const endEntity = orderCertificates(all).leaf;
  if (own.ca && !endEntity.ca) {
    const client = endEntity === certificate.certificate ? certificate : withLeaf(certificate, endEntity);
    const caSubject = formatDistinguishedName(own.subject);
    return finding.fail(
      'key-certificate-mismatch',
      { role, key: key.facts, certificate: client.facts, bundledMatch: false, caSubject },
      { ...evidenceFor(client), keyBelongsTo: caSubject },
    );
  }
  const paired = own === certificate.certificate ? certificate : withLeaf(certificate, own);
  const evidence = evidenceFor(paired);
  if (paired !== certificate) {
    // The certificate check judged another certificate of the file: judge the key's own here.
    const file = paired.listed?.file ?? `${role}.certificate`;
    const problem = validityProblem(ctx, file, paired.facts, role) ?? usageProblem(role, file, paired.facts, { file, ...paired.facts });
    if (problem) return problem;
  }
  const { listed } = paired;
  const ordered = { leaf: paired.certificate, chain: paired.chain };
  if (listed && !isInOrder(listed.certificates, ordered)) {
    const subjectOf = (x509: X509Certificate) => formatDistinguishedName(x509.subject);
    const fingerprints = listed.certificates.map((x509) => x509.fingerprint256);
    const order = {
      file: listed.file,
      repeated: [...new Set(listed.certificates.filter((x509, index) => fingerprints.indexOf(x509.fingerprint256) !== index).map(subjectOf))],
      listed: listed.certificates.map(subjectOf),
      sent: [ordered.leaf, ...ordered.chain].map(subjectOf),
      leafPosition: listed.certificates.indexOf(ordered.leaf) + 1,
    };
    return finding.warn('chain-order', { role, ...order }, { ...evidence, ...order }, { key, certificate: paired });
  }
  return pass({ key, certificate: paired }, evidence, `The ${role} key (thumbprint ${key.facts.thumbprint}) belongs to ${paired.facts.subject}.`);
}

/** The certificates loaded, with `leaf` (the key's own) first and the rest in issuing order. */
function withLeaf(certificate: LoadedCertificate, leaf: X509Certificate): LoadedCertificate {
  const [first, ...rest] = [certificate.certificate, ...certificate.chain] as const;
  const { chain } = orderCertificates([first, ...rest], (candidate) => candidate === leaf);
  return { ...certificate, certificate: leaf, chain, facts: certificateFacts(leaf, chain) };
}
