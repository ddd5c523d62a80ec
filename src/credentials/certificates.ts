import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { DerError, describeDerDamage, readKeyUsage } from './asn1.js';
import { failure, libraryError, namingFor, namingInputs, readCredentialFile, type LoadOptions, type LoadResult, type Naming } from './findings.js';
import { looksLikePem, parsePem } from './pem.js';
import { orderCertificates } from './chain.js';
import { isPkcs12, namedAsPkcs12, openPkcs12 } from './pkcs12.js';
import type { CertificateFacts, LoadedCertificate } from './types.js';

const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);

const NON_CERTIFICATE_LABELS: Record<string, string> = {
  'PRIVATE KEY': 'a private key',
  'ENCRYPTED PRIVATE KEY': 'a private key',
  'RSA PRIVATE KEY': 'a private key',
  'EC PRIVATE KEY': 'a private key',
  'OPENSSH PRIVATE KEY': 'a private key',
  'PUBLIC KEY': 'a public key',
  'RSA PUBLIC KEY': 'a public key',
  'CERTIFICATE REQUEST': 'a certificate signing request',
  'NEW CERTIFICATE REQUEST': 'a certificate signing request',
};

const EXTENDED_KEY_USAGES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

export interface CertificateLoadOptions extends LoadOptions {
  /** Opens the certificate file when it is a PKCS#12 bundle. */
  passphrase?: string;
}

type Loaded = LoadResult<LoadedCertificate>;

/**
 * Node prints a name one attribute per line; we join them as `CN=a, O=b`,
 * kept in certificate order as `openssl x509 -subject` prints it, so a user
 * can compare the two.
 */
export function formatDistinguishedName(multiline: string): string {
  return multiline
    .split('\n')
    .filter((line) => line.length > 0)
    .map((attribute) => {
      const at = attribute.indexOf('=');
      return at < 0 ? attribute : `${attribute.slice(0, at + 1)}${attribute.slice(at + 1).replace(/([,+"\\<>;])/g, '\\$1')}`;
    })
    .join(', ');
}

export function certificateFacts(certificate: X509Certificate, chain: readonly X509Certificate[] = []): CertificateFacts {
  const keyUsage = readKeyUsage(certificate.raw);
  const extKeyUsage = certificate.keyUsage?.map((oid) => EXTENDED_KEY_USAGES[oid] ?? oid);
  return {
    subject: formatDistinguishedName(certificate.subject),
    issuer: formatDistinguishedName(certificate.issuer),
    serialNumber: certificate.serialNumber,
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
    fingerprintSha256: certificate.fingerprint256,
    x5tS256: createHash('sha256').update(certificate.raw).digest('base64url'),
    ...(keyUsage ? { keyUsage } : {}),
    ...(extKeyUsage ? { extKeyUsage } : {}),
    chainDepth: 1 + chain.length,
    // Not checkIssued: OpenSSL refuses it when keyUsage lacks keyCertSign, as end-entity certificates do.
    selfSigned: certificate.subject === certificate.issuer && certificate.verify(certificate.publicKey),
  };
}

function hasReadableValidity(certificate: X509Certificate): boolean {
  return !Number.isNaN(Date.parse(certificate.validFrom)) && !Number.isNaN(Date.parse(certificate.validTo));
}

/** The public key OpenSSL can decode, or the error code why not (an unknown algorithm, a damaged key). */
function publicKeyProblem(certificate: X509Certificate): string | undefined {
  try {
    void certificate.publicKey;
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'ERR_OSSL_DECODE';
  }
}

/** Why a certificate's key usage extension cannot be read (Node reads extensions only when asked), or undefined. */
function keyUsageProblem(certificate: X509Certificate): string | undefined {
  try {
    readKeyUsage(certificate.raw);
    return undefined;
  } catch (error) {
    if (error instanceof DerError) return error.message;
    throw error;
  }
}

/**
 * The certificates loaded, leaf first. From a `file` (PEM, DER) the leaf is
 * found and the file's order kept, since TLS stacks send it as is, for the
 * key pair check to judge; a `bundle` comes ordered by its key already.
 */
function certificateLoaded(certificates: X509Certificate[], repaired: string[], naming: Naming, source: 'file' | 'bundle'): Loaded {
  const undecodable = certificates.findIndex((certificate) => publicKeyProblem(certificate) !== undefined);
  if (undecodable !== -1) {
    return failure(
      'certificate-corrupt',
      `Certificate ${undecodable + 1} of ${certificates.length} in ${naming.file} has a public key golive cannot decode (an unsupported algorithm, or a damaged file).`,
      'Replace the file with an intact copy of the certificate; golive reads RSA, EC (P-256/P-384/P-521) and Ed25519 keys.',
      { position: undecodable + 1, code: publicKeyProblem(certificates[undecodable]!) },
    );
  }
  const unreadable = certificates.findIndex((certificate) => !hasReadableValidity(certificate));
  if (unreadable !== -1) {
    const { validFrom, validTo } = certificates[unreadable]!;
    return failure(
      'certificate-corrupt',
      `Certificate ${unreadable + 1} of ${certificates.length} in ${naming.file} has an unreadable validity period (${validFrom} to ${validTo}).`,
      'Replace the file with an intact copy of the certificate (and its chain).',
      { position: unreadable + 1, validFrom, validTo },
    );
  }
  const damaged = certificates.findIndex((certificate) => keyUsageProblem(certificate) !== undefined);
  if (damaged !== -1) {
    const problem = keyUsageProblem(certificates[damaged]!);
    return failure(
      'certificate-corrupt',
      `Certificate ${damaged + 1} of ${certificates.length} in ${naming.file} has a key usage extension golive cannot read (${problem}): the file is damaged.`,
      'Replace the file with an intact copy of the certificate (and its chain).',
      { position: damaged + 1, problem },
    );
  }
  const [first, ...rest] = certificates as [X509Certificate, ...X509Certificate[]];
  const { leaf, chain } = source === 'file' ? orderCertificates([first, ...rest]) : { leaf: first, chain: rest };
  const value: LoadedCertificate = { certificate: leaf, chain, facts: certificateFacts(leaf, chain) };
  if (source === 'file') value.listed = { file: naming.file, certificates };
  return { ok: true, value, repaired };
}

function notACertificate(naming: Naming, what: string): Loaded {
  return failure(
    'not-a-certificate',
    `${naming.file} holds ${what}, not a certificate.`,
    what === 'a certificate signing request'
      ? 'Send the request to your CA (or upload it in the portal) and point the setting at the certificate it issues.'
      : `Point ${naming.setting('certificate')} at the certificate (PEM "BEGIN CERTIFICATE" or DER)${what === 'a private key' ? ` and ${naming.setting('privateKey')} at this file` : ''}.`,
    { found: what },
  );
}

/**
 * Loads a certificate file (PEM with an optional chain, DER, or a PKCS#12
 * bundle), in any order: the leaf is the certificate that is not a CA's
 * and issued none of the others; the rest are its chain.
 */
export async function loadCertificate(file: string, options: CertificateLoadOptions = {}): Promise<Loaded> {
  const naming = namingFor(file, options);
  const read = await readCredentialFile(file, naming, 'certificate');
  if (!read.ok) return read;
  const load = () => certificatesFrom(file, read.bytes, options.passphrase, naming);
  if (!options.memo) return load();
  // The file's name matters only as far as isPkcs12 reads it.
  return options.memo.remember(['certificate', namedAsPkcs12(file), options.passphrase, ...namingInputs(naming)], read.bytes, load);
}

async function certificatesFrom(file: string, bytes: Buffer, passphrase: string | undefined, naming: Naming): Promise<Loaded> {
  if (isPkcs12(file, bytes)) return certificateFromPkcs12Bytes(bytes, passphrase, naming);
  if (looksLikePem(bytes)) return loadPemCertificates(bytes.toString('utf8'), naming);
  return loadDerCertificate(bytes, naming);
}

/** The certificate a PKCS#12 private key bundle carries (for configs that set no separate certificate). */
export async function loadCertificateFromBundle(file: string, passphrase?: string, options: LoadOptions = {}): Promise<Loaded> {
  const naming = namingFor(file, options);
  const read = await readCredentialFile(file, naming, 'privateKey');
  if (!read.ok) return read;
  if (!isPkcs12(file, read.bytes)) {
    return failure(
      'pkcs12-no-certificate',
      `${naming.setting('certificate')} is not set and ${naming.file} is not a PKCS#12 bundle that could carry the certificate.`,
      `Set ${naming.setting('certificate')} to the certificate file.`,
    );
  }
  const secret = passphrase === '' ? undefined : passphrase;
  const load = () => certificateFromPkcs12Bytes(read.bytes, secret, naming);
  if (!options.memo) return load();
  return options.memo.remember(['bundled certificate', secret, ...namingInputs(naming)], read.bytes, load);
}

async function certificateFromPkcs12Bytes(bytes: Buffer, passphrase: string | undefined, naming: Naming): Promise<Loaded> {
  const opened = await openPkcs12(bytes, passphrase, naming);
  if (!opened.ok) return opened;
  if (opened.value.certificates.length === 0) {
    return failure(
      'pkcs12-no-certificate',
      `The PKCS#12 bundle ${naming.file} holds no certificate.`,
      `Export the bundle again with its certificate, or set ${naming.setting('certificate')} to the certificate file.`,
    );
  }
  return certificateLoaded(opened.value.certificates, [], naming, 'bundle');
}

function loadPemCertificates(text: string, naming: Naming): Loaded {
  const parsed = parsePem(text);
  if (!parsed.ok) {
    return failure(
      'pem-malformed',
      `${naming.file} is not valid PEM: ${parsed.problem}.`,
      'Replace the file with an intact copy of the certificate: a BEGIN line, the unbroken base64 body and the matching END line.',
      { detail: parsed.problem },
    );
  }
  const blocks = parsed.blocks.filter((block) => CERTIFICATE_LABELS.has(block.label));
  if (blocks.length === 0) {
    const labels = [...new Set(parsed.blocks.map((block) => block.label))];
    return notACertificate(naming, labels.map((label) => NON_CERTIFICATE_LABELS[label] ?? `a "${label}" block`).join(' and '));
  }
  const certificates: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block.der));
    } catch (error) {
      return failure(
        'certificate-corrupt',
        `Certificate ${index + 1} of ${blocks.length} in ${naming.file} is not a valid X.509 certificate.`,
        'Replace the file with an intact copy of the certificate (and its chain).',
        { ...libraryError(error), position: index + 1 },
      );
    }
  }
  return certificateLoaded(certificates, parsed.repaired, naming, 'file');
}

function loadDerCertificate(bytes: Buffer, naming: Naming): Loaded {
  const damage = describeDerDamage(bytes);
  if (damage) {
    return failure(
      'unrecognised-format',
      `${naming.file} is neither PEM (it has no -----BEGIN line) nor DER (${damage}).`,
      `Point ${naming.setting('certificate')} at the certificate in PEM or DER form.`,
      { detail: damage },
    );
  }
  try {
    return certificateLoaded([new X509Certificate(bytes)], [], naming, 'file');
  } catch (error) {
    if (isDerPrivateKey(bytes)) return notACertificate(naming, 'a private key');
    return failure(
      'certificate-corrupt',
      `${naming.file} is DER but not a valid X.509 certificate.`,
      `Point ${naming.setting('certificate')} at the certificate in PEM or DER form.`,
      libraryError(error),
    );
  }
}

function isDerPrivateKey(bytes: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: bytes, format: 'der', type });
      return true;
    } catch {
      // Try the next structure.
    }
  }
  return false;
}
