import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { describeDerDamage, isEncryptedPkcs8Der } from './asn1.js';
import {
  failure,
  libraryError,
  namingFor,
  namingInputs,
  readCredentialFile,
  type LoadOptions,
  type LoadResult,
  type Naming,
} from './findings.js';
import { CURVE_NAMES, publicJwkOf, thumbprintOf } from './jwk.js';
import { describeKey, type KeyShape } from './key-types.js';
import { encodePem, looksLikePem, parsePem, type PemBlock } from './pem.js';
import { isPkcs12, namedAsPkcs12, openPkcs12 } from './pkcs12.js';
import type { KeyFacts, KeyFormat, LoadedKey } from './types.js';

const PRIVATE_KEY_LABELS: Record<string, { plain: KeyFormat; encrypted: KeyFormat; describe: string }> = {
  'PRIVATE KEY': { plain: 'pkcs8-pem', encrypted: 'encrypted-pkcs8-pem', describe: 'PKCS#8' },
  'ENCRYPTED PRIVATE KEY': { plain: 'encrypted-pkcs8-pem', encrypted: 'encrypted-pkcs8-pem', describe: 'encrypted PKCS#8' },
  'RSA PRIVATE KEY': { plain: 'pkcs1-pem', encrypted: 'encrypted-pkcs1-pem', describe: 'PKCS#1 RSA' },
  'EC PRIVATE KEY': { plain: 'sec1-pem', encrypted: 'encrypted-sec1-pem', describe: 'SEC1 EC' },
};

/** What a PEM block that is not a private key is, for "holds X, not a private key". */
const OTHER_LABELS: Record<string, string> = {
  CERTIFICATE: 'a certificate',
  'TRUSTED CERTIFICATE': 'a certificate',
  'X509 CERTIFICATE': 'a certificate',
  'PUBLIC KEY': 'a public key',
  'RSA PUBLIC KEY': 'a public key',
  'CERTIFICATE REQUEST': 'a certificate signing request',
  'NEW CERTIFICATE REQUEST': 'a certificate signing request',
  'EC PARAMETERS': 'only EC parameters',
};

type Loaded = LoadResult<LoadedKey>;

/** Why golive cannot use a key of a type JWK cannot express (EC: a curve other than P-256, P-384, P-521 and secp256k1). */
const UNUSABLE_BECAUSE: ReadonlyMap<string, string> = new Map([
  ['dsa', 'JOSE defines no DSA algorithm for client assertions, and TLS 1.3 has no DSA signatures for client certificates'],
  ['x25519', 'it is a key-agreement key and cannot sign'],
  ['x448', 'it is a key-agreement key and cannot sign'],
  ['dh', 'it is a key-agreement key and cannot sign'],
  ['ec', 'it reads EC keys on the curves JOSE signs with only (P-256, P-384, P-521 and secp256k1)'],
]);

/**
 * Loads a private key: PEM (PKCS#1, PKCS#8, SEC1, encrypted PKCS#8, legacy
 * encrypted PKCS#1/SEC1), DER, or a PKCS#12 bundle. Never throws for a bad
 * file: every problem comes back as a finding.
 */
export async function loadPrivateKey(file: string, passphrase?: string, options: LoadOptions = {}): Promise<Loaded> {
  const naming = namingFor(file, options);
  const read = await readCredentialFile(file, naming, 'privateKey');
  if (!read.ok) return read;
  const secret = passphrase === '' ? undefined : passphrase;
  const load = () => privateKeyFrom(file, read.bytes, secret, naming);
  if (!options.memo) return load();
  // The file's name matters only as far as isPkcs12 reads it.
  return options.memo.remember(['privateKey', namedAsPkcs12(file), secret, ...namingInputs(naming)], read.bytes, load);
}

async function privateKeyFrom(file: string, bytes: Buffer, passphrase: string | undefined, naming: Naming): Promise<Loaded> {
  if (isPkcs12(file, bytes)) {
    const opened = await openPkcs12(bytes, passphrase, naming);
    if (!opened.ok) return opened;
    return keyLoaded(opened.value.key, 'pkcs12', [], naming, opened.value.certificates);
  }
  if (looksLikePem(bytes)) return loadPemKey(bytes.toString('utf8'), passphrase, naming);
  return loadDerKey(bytes, passphrase, naming);
}

function keyLoaded(
  privateKey: KeyObject,
  format: KeyFormat,
  repaired: string[],
  naming: Naming,
  bundledCertificates?: X509Certificate[],
): Loaded {
  const publicKey = createPublicKey(privateKey);
  const thumbprint = thumbprintOf(publicKey);
  const type = privateKey.asymmetricKeyType ?? 'unknown';
  const details = privateKey.asymmetricKeyDetails ?? {};
  if (!thumbprint) {
    const shape: KeyShape = {
      type,
      ...(details.modulusLength !== undefined ? { bits: details.modulusLength } : {}),
      ...(details.namedCurve !== undefined ? { curve: details.namedCurve } : {}),
    };
    return failure(
      'key-unsupported',
      `${naming.file} holds ${describeKey(shape)}, which golive cannot use: ${UNUSABLE_BECAUSE.get(type) ?? 'it signs neither client assertions (JOSE) nor TLS handshakes'}.`,
      `Use an RSA key of 2048 bits or more or an EC P-256 key: generate one (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048), have its certificate issued and set ${naming.setting('privateKey')} to it.`,
      { ...shape, format },
    );
  }
  const facts: KeyFacts = {
    type,
    ...(details.modulusLength !== undefined ? { bits: details.modulusLength } : {}),
    ...(details.namedCurve !== undefined ? { curve: CURVE_NAMES[details.namedCurve] ?? details.namedCurve } : {}),
    format,
    thumbprint,
    ...(repaired.length > 0 ? { repaired } : {}),
  };
  const value: LoadedKey = { privateKey, publicKey, publicJwk: publicJwkOf(publicKey), facts };
  if (bundledCertificates) value.bundledCertificates = bundledCertificates;
  return { ok: true, value, repaired };
}

function missingPassphrase(naming: Naming, describe: string): Loaded {
  return failure(
    'passphrase-missing',
    `${naming.file} is encrypted (${describe}) and ${naming.setting('passphrase')} is not set.`,
    `Set ${naming.setting('passphrase')} to the key's passphrase, referenced from an environment variable (e.g. "\${KEY_PASSPHRASE}").`,
  );
}

function wrongPassphrase(naming: Naming, describe: string, error: unknown): Loaded {
  return failure(
    'passphrase-wrong',
    `The passphrase in ${naming.setting('passphrase')} does not decrypt ${naming.file} (${describe}).`,
    `Set ${naming.setting('passphrase')} to the passphrase the key was encrypted with; check the environment variable it references.`,
    libraryError(error),
  );
}

function notAPrivateKey(naming: Naming, what: string): Loaded {
  const certificate = what === 'a certificate';
  return failure(
    'not-a-private-key',
    `${naming.file} holds ${what}, not a private key.`,
    certificate
      ? `Point ${naming.setting('privateKey')} at the private key the certificate was issued for, and ${naming.setting('certificate')} at this file.`
      : `Point ${naming.setting('privateKey')} at the private key file (PEM "BEGIN PRIVATE KEY", DER or a .p12 bundle).`,
    { found: what },
  );
}

function loadPemKey(text: string, passphrase: string | undefined, naming: Naming): Loaded {
  const parsed = parsePem(text);
  if (!parsed.ok) {
    return failure(
      'pem-malformed',
      `${naming.file} is not valid PEM: ${parsed.problem}.`,
      'Replace the file with an intact copy of the key: a BEGIN line, the unbroken base64 body and the matching END line.',
      { detail: parsed.problem },
    );
  }
  const keyBlocks = parsed.blocks.filter((block) => block.label in PRIVATE_KEY_LABELS);
  if (keyBlocks.length === 0) {
    if (parsed.blocks.some((block) => block.label === 'OPENSSH PRIVATE KEY')) {
      return failure(
        'key-unsupported',
        `${naming.file} is an OpenSSH private key, which JOSE and TLS libraries do not read.`,
        `Convert a copy to PKCS#8 PEM: ssh-keygen -p -m PKCS8 -f ${naming.file}`,
        { found: 'OPENSSH PRIVATE KEY' },
      );
    }
    const labels = [...new Set(parsed.blocks.map((block) => block.label))];
    const what = labels.map((label) => OTHER_LABELS[label] ?? `a "${label}" block`).join(' and ');
    return notAPrivateKey(naming, what);
  }
  if (keyBlocks.length > 1) {
    return failure(
      'multiple-keys',
      `${naming.file} holds ${keyBlocks.length} private keys; golive cannot tell which one is meant.`,
      `Keep only the key the certificate was issued for in ${naming.file}.`,
      { keys: keyBlocks.length },
    );
  }
  return decodePemBlock(keyBlocks[0]!, passphrase, naming, parsed.repaired);
}

function decodePemBlock(block: PemBlock, passphrase: string | undefined, naming: Naming, repaired: string[]): Loaded {
  const kind = PRIVATE_KEY_LABELS[block.label]!;
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || (block.headers['Proc-Type'] ?? '').includes('ENCRYPTED');
  const format = encrypted ? kind.encrypted : kind.plain;
  const describe = encrypted ? (kind.plain === 'encrypted-pkcs8-pem' ? kind.describe : `legacy encrypted ${kind.describe}`) : kind.describe;
  if (encrypted && passphrase === undefined) return missingPassphrase(naming, describe);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: encodePem(block), format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch (error) {
    // A wrong passphrase yields garbage that OpenSSL may report as any decoding error.
    if (encrypted) return wrongPassphrase(naming, describe, error);
    return failure(
      'key-corrupt',
      `${naming.file} has a ${describe} PEM block whose content is not a valid key.`,
      'Replace the file with an intact copy of the key.',
      libraryError(error),
    );
  }
  return keyLoaded(privateKey, format, repaired, naming);
}

function loadDerKey(bytes: Buffer, passphrase: string | undefined, naming: Naming): Loaded {
  const damage = describeDerDamage(bytes);
  if (damage) {
    const text = bytes.toString('latin1').trim();
    const base64Only = /^[A-Za-z0-9+/=\s]+$/.test(text);
    return failure(
      'unrecognised-format',
      base64Only
        ? `${naming.file} holds base64 text without the -----BEGIN and -----END lines of PEM.`
        : `${naming.file} is neither PEM (it has no -----BEGIN line) nor DER (${damage}).`,
      base64Only
        ? 'Add the missing "-----BEGIN PRIVATE KEY-----" and "-----END PRIVATE KEY-----" lines, or copy the whole key file again.'
        : `Point ${naming.setting('privateKey')} at the private key in PEM, DER or PKCS#12 (.p12) form.`,
      { detail: damage },
    );
  }
  let pkcs8Error: unknown;
  try {
    const key = createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8', ...(passphrase !== undefined ? { passphrase } : {}) });
    return keyLoaded(key, 'der', [], naming);
  } catch (error) {
    pkcs8Error = error;
  }
  const code = libraryError(pkcs8Error).code;
  if (code === 'ERR_MISSING_PASSPHRASE') return missingPassphrase(naming, 'encrypted PKCS#8 DER');
  if (code === 'ERR_OSSL_BAD_DECRYPT') return wrongPassphrase(naming, 'encrypted PKCS#8 DER', pkcs8Error);
  // About one wrong passphrase in 256 passes the padding check and yields garbage, not BAD_DECRYPT.
  if (passphrase !== undefined && isEncryptedPkcs8Der(bytes)) return wrongPassphrase(naming, 'encrypted PKCS#8 DER', pkcs8Error);
  for (const type of ['pkcs1', 'sec1'] as const) {
    try {
      return keyLoaded(createPrivateKey({ key: bytes, format: 'der', type }), 'der', [], naming);
    } catch {
      // Not this structure; the next candidate or the diagnosis below says what it is.
    }
  }
  if (parsesAs(() => new X509Certificate(bytes))) return notAPrivateKey(naming, 'a certificate');
  if (parsesAs(() => createPublicKey({ key: bytes, format: 'der', type: 'spki' }))) return notAPrivateKey(naming, 'a public key');
  return failure(
    'key-corrupt',
    `${naming.file} is DER but not a private key that can be read (not PKCS#8, PKCS#1 or SEC1).`,
    `Point ${naming.setting('privateKey')} at the private key in PEM, DER or PKCS#12 (.p12) form.`,
    libraryError(pkcs8Error),
  );
}

function parsesAs(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}
