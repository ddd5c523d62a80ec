import { DerError, TAG, childrenOf, readDer, type DerNode } from '../credentials/asn1.js';
import { isPkcs12 } from '../credentials/pkcs12.js';

/**
 * A key, certificate or PKCS#12 file named where the config belongs
 * (`golive check key.pem`), told from its shape alone: config.parse says
 * what the file is without parsing it as YAML, so none of its content can
 * reach a message.
 */
export interface CredentialFile {
  kind: 'private-key' | 'certificate' | 'pkcs12' | 'pem';
  encoding: 'pem' | 'der';
  /** The certificates a PEM file holds: beside its key, or the length of its chain. */
  certificates: number;
  /** The PEM labels (`PUBLIC KEY`): names of blocks, never their content. */
  labels: string[];
}

const BEGIN_LINE = /^-----BEGIN ([A-Z0-9 ]{1,40})-----[ \t\r]*$/gm;
/** What `openssl pkcs12 -nodes` and `openssl x509 -subject` write before a block; a config's own first line is none of these. */
const OPENSSL_PREAMBLE = /^(?:Bag Attributes|Key Attributes|subject=|issuer=|[ \t]|\r?$)/;
/**
 * The first line of what `openssl x509 -text`, `openssl req -text` and `openssl rsa -text`
 * write before a block (as `openssl ca` issues certificates); a YAML config so
 * opened cannot hold a BEGIN line at a line start.
 */
const OPENSSL_TEXT_DUMP = /^(?:Certificate|Certificate Request|(?:RSA |EC |DSA |ED25519 |ED448 )?Private-Key|(?:RSA |EC )?Public-Key): ?/;
const PKCS12_NAME = /\.(p12|pfx)$/i;

export function credentialFileOf(bytes: Buffer, file: string): CredentialFile | undefined {
  return pemFileOf(bytes) ?? derFileOf(bytes, file);
}

function pemFileOf(bytes: Buffer): CredentialFile | undefined {
  const text = bytes.toString('latin1').replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '');
  const first = text.search(BEGIN_LINE);
  if (first === -1) return undefined;
  // A BEGIN line at a line start, after nothing a config would open with: a PEM
  // block inside a YAML or JSON config is indented or escaped.
  const before = text.slice(0, first).split('\n').slice(0, -1);
  if (!OPENSSL_TEXT_DUMP.test(before[0] ?? '') && !before.every((line) => OPENSSL_PREAMBLE.test(line))) return undefined;
  const labels = [...text.matchAll(BEGIN_LINE)].map((match) => match[1]!);
  const certificates = labels.filter((label) => /(?:^| )CERTIFICATE$/.test(label)).length;
  const kind = labels.some((label) => label.endsWith('PRIVATE KEY')) ? 'private-key' : certificates > 0 ? 'certificate' : 'pem';
  return { kind, encoding: 'pem', certificates, labels: [...new Set(labels)] };
}

function derFileOf(bytes: Buffer, file: string): CredentialFile | undefined {
  const kind = derKindOf(bytes) ?? (PKCS12_NAME.test(file) && bytes.includes(0) ? 'pkcs12' : undefined);
  return kind && { kind, encoding: 'der', certificates: 0, labels: [] };
}

function derKindOf(bytes: Buffer): CredentialFile['kind'] | undefined {
  if (bytes[0] !== TAG.SEQUENCE) return undefined;
  try {
    const outer = readDer(bytes);
    if (outer.end !== bytes.length) return undefined;
    if (isPkcs12('', bytes)) return 'pkcs12';
    const children = childrenOf(outer);
    if (isCertificate(children)) return 'certificate';
    if (isPrivateKey(children)) return 'private-key';
    return undefined;
  } catch (error) {
    if (error instanceof DerError) return undefined;
    throw error;
  }
}

function tags(children: DerNode[]): number[] {
  return children.map((child) => child.tag);
}

/** Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE, signature BIT STRING } */
function isCertificate(children: DerNode[]): boolean {
  return children.length === 3 && tags(children).join() === [TAG.SEQUENCE, TAG.SEQUENCE, TAG.BIT_STRING].join();
}

function isSmallInteger(node: DerNode | undefined, ...values: number[]): boolean {
  return node?.tag === TAG.INTEGER && node.content.length === 1 && values.includes(node.content[0]!);
}

/** PKCS#8 (plain or encrypted), PKCS#1 RSA and SEC1 EC private keys. */
function isPrivateKey(children: DerNode[]): boolean {
  const [first, second, third] = children;
  // PKCS#8 PrivateKeyInfo: version 0 or 1, algorithm, key.
  if (isSmallInteger(first, 0, 1) && second?.tag === TAG.SEQUENCE && third?.tag === TAG.OCTET_STRING) return true;
  // EncryptedPrivateKeyInfo: encryption algorithm, encrypted key.
  if (children.length === 2 && first?.tag === TAG.SEQUENCE && second?.tag === TAG.OCTET_STRING) return true;
  // RSAPrivateKey: version and eight integers (more for multi-prime keys).
  if (children.length >= 9 && isSmallInteger(first, 0, 1) && children.every((child) => child.tag === TAG.INTEGER)) return true;
  // ECPrivateKey: version 1, key, optional [0] parameters and [1] public key.
  return isSmallInteger(first, 1) && second?.tag === TAG.OCTET_STRING && children.slice(2).every((child) => child.tag === 0xa0 || child.tag === 0xa1);
}
