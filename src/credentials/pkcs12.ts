import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { DerError, TAG, childrenOf, decodeOid, readDer } from './asn1.js';
import { failure, libraryError, type LoadResult, type Naming } from './findings.js';

// node:crypto cannot open PKCS#12, so bundles go through node-forge, loaded
// only when a bundle is met. Everything forge hands back is converted to DER
// and re-read with node:crypto, so EC keys and certificates (which forge
// cannot model) work too.

export interface Pkcs12Contents {
  key: KeyObject;
  /** The certificate of the key first (when the bundle has it), then the rest. */
  certificates: X509Certificate[];
}

const PKCS7_DATA = '1.2.840.113549.1.7.1';
const PKCS7_SIGNED_DATA = '1.2.840.113549.1.7.2';

/** True for a .p12/.pfx name, or DER shaped like a PFX (version 3, PKCS#7 content). */
export function isPkcs12(file: string, bytes: Buffer): boolean {
  if (/\.(p12|pfx)$/i.test(file)) return true;
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

export async function openPkcs12(bytes: Buffer, passphrase: string | undefined, naming: Naming): Promise<LoadResult<Pkcs12Contents>> {
  const { default: forge } = await import('node-forge');
  const corrupt = (error: unknown) =>
    failure(
      'pkcs12-corrupt',
      `${naming.file} could not be read as a PKCS#12 bundle (${libraryError(error).reason as string}).`,
      `Export the bundle again (openssl pkcs12 -export -inkey key.pem -in cert.pem -out ${naming.file}), or use PEM files for ${naming.setting('privateKey')} and ${naming.setting('certificate')}.`,
      libraryError(error),
    );

  let asn1: unknown;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')));
  } catch (error) {
    return corrupt(error);
  }
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
      if (!(error instanceof Error && MAC_FAILURE.test(error.message))) return corrupt(error);
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
  const leafIndex = certificates.findIndex((certificate) => certificate.checkPrivateKey(ownKey));
  if (leafIndex > 0) certificates.unshift(...certificates.splice(leafIndex, 1));
  return { ok: true, value: { key, certificates }, repaired: [] };
}
