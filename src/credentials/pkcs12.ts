import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { DerError, TAG, childrenOf, decodeOid, readDer } from './asn1.js';
import { orderCertificates } from './chain.js';
import { failure, libraryError, type LoadResult, type Naming } from './findings.js';
import { privateKeyMatchesCertificate } from './match.js';

// node:crypto cannot open PKCS#12, so bundles go through node-forge, loaded
// only when a bundle is met. Everything forge hands back is converted to DER
// and re-read with node:crypto, so EC keys and certificates (which forge
// cannot model) work too.

export interface Pkcs12Contents {
  key: KeyObject;
  /** The certificate of the key first (when the bundle has it), then the rest in issuing order. */
  certificates: X509Certificate[];
}

const PKCS7_DATA = '1.2.840.113549.1.7.1';
const PKCS7_SIGNED_DATA = '1.2.840.113549.1.7.2';

/** True for a file named as a PKCS#12 bundle: .p12 or .pfx. */
export function namedAsPkcs12(file: string): boolean {
  return /\.(p12|pfx)$/i.test(file);
}

/** True for a .p12/.pfx name, or DER shaped like a PFX (version 3, PKCS#7 content). */
export function isPkcs12(file: string, bytes: Buffer): boolean {
  if (namedAsPkcs12(file)) return true;
  try {
    const [version, authSafe] = childrenOf(readDer(bytes));
    if (version?.tag !== TAG.INTEGER || version.content.length !== 1 || version.content[0] !== 3) return false;
    const [contentType] = authSafe ? childrenOf(authSafe) : [];
    if (contentType?.tag !== TAG.OID) return false;
    const oid = decodeOid(contentType.content);
    return oid === PKCS7_DATA || oid === PKCS7_SIGNED_DATA;
  } catch (error) {
    if (error instanceof DerError) return false;
    throw error;
  }
}

/** PKCS#12 SafeBag types (RFC 7292 4.2). */
const BAGS = {
  key: '1.2.840.113549.1.12.10.1.1',
  shroudedKey: '1.2.840.113549.1.12.10.1.2',
  certificate: '1.2.840.113549.1.12.10.1.3',
} as const;

const MAC_FAILURE = /MAC could not be verified|wrong password|Invalid password/i;

/**
 * The most iterations golive runs for one key derivation of a bundle. OpenSSL
 * exports with 2048, Windows with 2000, Java with 10000 (older Java: 50000,
 * and 100000 for the MAC). node-forge derives in JavaScript: a bundle made
 * with `openssl pkcs12 -export -iter 1000000` took 31 s to open.
 */
export const MAX_PKCS12_ITERATIONS = 100_000;

const OIDS = {
  data: PKCS7_DATA,
  encryptedData: '1.2.840.113549.1.7.6',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
} as const;
/** PKCS#12 PBE (RFC 7292 appendix C) and PKCS#5 PBES1: parameters are SEQUENCE { salt, iterations }. */
const SALT_AND_COUNT_PBE = /^1\.2\.840\.113549\.1\.(12\.1\.[1-6]|5\.(1|3|4|6|10|11))$/;

type Forge = typeof import('node-forge');
type Asn1 = import('node-forge').asn1.Asn1;

/** Where a bundle derives a key from its password, and with how many iterations. */
interface Pkcs12Derivation {
  use: 'MAC' | 'certificate encryption' | 'private key encryption';
  iterations: bigint;
}

/**
 * Every iteration count a bundle shows before its password is used: the
 * MAC's, each encrypted SafeContents' and each private key bag's outside
 * them (where exporters put the key). Read from the ASN.1 only, so a bundle
 * with an absurd count is refused before any derivation starts. A part that
 * does not parse is left out: node-forge then says what is wrong with it.
 */
function pkcs12Derivations(forge: Forge, pfx: Asn1): Pkcs12Derivation[] {
  const { asn1 } = forge;
  const children = (node: Asn1 | undefined): Asn1[] => (node && Array.isArray(node.value) ? node.value : []);
  const oidOf = (node: Asn1 | undefined): string | undefined =>
    node?.type === asn1.Type.OID && typeof node.value === 'string' ? asn1.derToOid(node.value) : undefined;
  const integerOf = (node: Asn1 | undefined): bigint | undefined =>
    node?.type === asn1.Type.INTEGER && typeof node.value === 'string' ? BigInt(`0x0${forge.util.bytesToHex(node.value)}`) : undefined;
  // BER exporters may split an OCTET STRING into chunks, as node-forge's reader allows.
  const bytesOf = (node: Asn1 | undefined): string | undefined =>
    node === undefined ? undefined : typeof node.value === 'string' ? node.value : children(node).map((chunk) => (typeof chunk.value === 'string' ? chunk.value : '')).join('');
  const parse = (bytes: string | undefined): Asn1 | undefined => {
    if (bytes === undefined) return undefined;
    try {
      return asn1.fromDer(bytes, false);
    } catch {
      // Not ASN.1: pkcs12FromAsn1 fails on the same bytes and says so.
      return undefined;
    }
  };
  const pbeIterations = (algorithm: Asn1 | undefined): bigint | undefined => {
    const [id, parameters] = children(algorithm);
    const oid = oidOf(id);
    if (oid === OIDS.pbes2) {
      const [kdf] = children(parameters);
      const [kdfId, kdfParameters] = children(kdf);
      return oidOf(kdfId) === OIDS.pbkdf2 ? integerOf(children(kdfParameters)[1]) : undefined;
    }
    return oid !== undefined && SALT_AND_COUNT_PBE.test(oid) ? integerOf(children(parameters)[1]) : undefined;
  };

  const found: Pkcs12Derivation[] = [];
  const add = (use: Pkcs12Derivation['use'], iterations: bigint | undefined) => {
    if (iterations !== undefined) found.push({ use, iterations });
  };
  const scanBags = (safeContents: Asn1 | undefined, depth: number) => {
    for (const bag of children(safeContents)) {
      const [id, explicit] = children(bag);
      const value = children(explicit)[0];
      const oid = oidOf(id);
      if (oid === BAGS.shroudedKey) add('private key encryption', pbeIterations(children(value)[0]));
      else if (oid === OIDS.safeContentsBag && depth < 4) scanBags(value, depth + 1);
    }
  };

  const [, authSafe, macData] = children(pfx);
  // MacData.iterations defaults to 1 (RFC 7292 4).
  if (macData) add('MAC', integerOf(children(macData)[2]) ?? 1n);
  const [authSafeType, authSafeContent] = children(authSafe);
  if (oidOf(authSafeType) !== OIDS.data) return found;
  for (const contentInfo of children(parse(bytesOf(children(authSafeContent)[0])))) {
    const [type, explicit] = children(contentInfo);
    const content = children(explicit)[0];
    const oid = oidOf(type);
    if (oid === OIDS.data) scanBags(parse(bytesOf(content)), 0);
    else if (oid === OIDS.encryptedData) add('certificate encryption', pbeIterations(children(children(content)[1])[1]));
  }
  return found;
}

/** A count as JSON holds it: a number, or its digits when a number would lose them. */
function countForEvidence(count: bigint): number | string {
  return count <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(count) : count.toString();
}

export async function openPkcs12(bytes: Buffer, passphrase: string | undefined, naming: Naming): Promise<LoadResult<Pkcs12Contents>> {
  const { default: forge } = await import('node-forge');
  const corrupt = (error: unknown) =>
    failure(
      'pkcs12-corrupt',
      `${naming.file} could not be read as a PKCS#12 bundle (${libraryError(error).reason as string}).`,
      `Export the bundle again (openssl pkcs12 -export -inkey key.pem -in cert.pem -out ${naming.file}), or use PEM files for ${naming.setting('privateKey')} and ${naming.setting('certificate')}.`,
      libraryError(error),
    );

  let asn1: Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')));
  } catch (error) {
    return corrupt(error);
  }
  const derivations = pkcs12Derivations(forge, asn1);
  const tooMany = derivations.filter(({ iterations }) => iterations > BigInt(MAX_PKCS12_ITERATIONS));
  if (tooMany.length > 0) {
    const highest = tooMany.reduce((a, b) => (b.iterations > a.iterations ? b : a)).iterations;
    const uses = [...new Set(tooMany.map(({ use }) => use))];
    const listed = uses.length === 1 ? uses[0] : `${uses.slice(0, -1).join(', ')} and ${uses[uses.length - 1]}`;
    return failure(
      'pkcs12-iterations',
      `${naming.file} is a PKCS#12 bundle whose ${listed} ${uses.length === 1 ? 'uses' : 'use'} ${highest} password iterations; golive opens bundles of at most ${MAX_PKCS12_ITERATIONS} (OpenSSL exports with 2048), as deriving this one's keys would take it many seconds.`,
      `Export the bundle again with the default count (openssl pkcs12 -export -inkey key.pem -in cert.pem -out ${naming.file} -iter 2048), or extract PEM files (openssl pkcs12 -in ${naming.file} -nokeys -out cert.pem; openssl pkcs12 -in ${naming.file} -nocerts -out key.pem) and point ${naming.setting('privateKey')} and ${naming.setting('certificate')} at them.`,
      { iterations: countForEvidence(highest), limit: MAX_PKCS12_ITERATIONS, derivations: tooMany.map(({ use, iterations }) => ({ use, iterations: countForEvidence(iterations) })) },
    );
  }
  // A MAC checks the password before anything is decrypted. Without one
  // (`openssl pkcs12 -nomac`), a wrong password decrypts to garbage, which
  // node-forge reports as whatever the garbage breaks first.
  const unverified = !derivations.some(({ use }) => use === 'MAC') && derivations.length > 0;
  const isPasswordError = (error: unknown): boolean =>
    error instanceof Error && (MAC_FAILURE.test(error.message) || (unverified && !/\bunsupported\b/i.test(error.message)));
  // Without a passphrase, try the two encodings of "no password" that exporters use.
  const attempts: (string | null)[] = passphrase ? [passphrase] : ['', null];
  let pfx: ReturnType<typeof forge.pkcs12.pkcs12FromAsn1> | undefined;
  let lastError: unknown;
  for (const attempt of attempts) {
    try {
      pfx = forge.pkcs12.pkcs12FromAsn1(asn1, false, attempt as string);
      break;
    } catch (error) {
      lastError = error;
      if (!isPasswordError(error)) return corrupt(error);
    }
  }
  if (!pfx) {
    const evidence = libraryError(lastError);
    return passphrase
      ? failure(
          'pkcs12-password-wrong',
          `The password in ${naming.setting('passphrase')} does not open the PKCS#12 bundle ${naming.file}.`,
          `Set ${naming.setting('passphrase')} to the export password of ${naming.file}.`,
          evidence,
        )
      : failure(
          'pkcs12-password-missing',
          `${naming.file} is a password-protected PKCS#12 bundle and ${naming.setting('passphrase')} is not set.`,
          `Set ${naming.setting('passphrase')} to the bundle's export password, referenced from an environment variable.`,
          evidence,
        );
  }

  const toBuffer = (der: { getBytes(): string }) => Buffer.from(der.getBytes(), 'binary');
  const keyBags = [
    ...(pfx.getBags({ bagType: BAGS.shroudedKey })[BAGS.shroudedKey] ?? []),
    ...(pfx.getBags({ bagType: BAGS.key })[BAGS.key] ?? []),
  ];
  const certBags = pfx.getBags({ bagType: BAGS.certificate })[BAGS.certificate] ?? [];

  let certificates: X509Certificate[];
  let key: KeyObject | undefined;
  try {
    certificates = certBags.map((bag) => {
      const asn1Cert = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
      return new X509Certificate(toBuffer(forge.asn1.toDer(asn1Cert)));
    });
    const keyBag = keyBags[0];
    if (keyBag) {
      const privateKeyInfo = keyBag.key
        ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key))
        : keyBag.asn1;
      key = createPrivateKey({ key: toBuffer(forge.asn1.toDer(privateKeyInfo)), format: 'der', type: 'pkcs8' });
    }
  } catch (error) {
    return corrupt(error);
  }
  if (!key) {
    return failure(
      'pkcs12-no-key',
      `The PKCS#12 bundle ${naming.file} holds ${certificates.length} certificate(s) but no private key.`,
      `Export the bundle again including the private key, or point ${naming.setting('privateKey')} at the key file.`,
      { certificates: certificates.length },
    );
  }
  const ownKey = key;
  const [first, ...rest] = certificates;
  if (first) {
    // Bag order means nothing to PKCS#12 readers: they find the leaf by its key, as golive does here.
    const { leaf, chain } = orderCertificates([first, ...rest], (certificate) => privateKeyMatchesCertificate(ownKey, certificate));
    certificates = [leaf, ...chain];
  }
  return { ok: true, value: { key, certificates }, repaired: [] };
}
