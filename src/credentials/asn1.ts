// Just enough DER to read what node:crypto does not expose: the keyUsage
// extension of a certificate, the outer length of a PEM body (to tell a
// truncated file from a wrong one) and the modulus of an RSA-PSS key.

export class DerError extends Error {
  override name = 'DerError';
}

export interface DerNode {
  /** The identifier octet, e.g. 0x30 for SEQUENCE. */
  tag: number;
  constructed: boolean;
  /** Offset of the identifier octet in the buffer read. */
  start: number;
  /** Offset just past the node. */
  end: number;
  content: Buffer;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  SEQUENCE: 0x30,
} as const;

/** Reads one DER node at `offset`; throws DerError when the bytes are not DER. */
export function readDer(buffer: Buffer, offset = 0): DerNode {
  if (offset + 2 > buffer.length) throw new DerError(`no DER header at byte ${offset}`);
  const tag = buffer[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tag at byte ${offset}`);
  let length = buffer[offset + 1]!;
  let headerLength = 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0) throw new DerError(`indefinite length at byte ${offset}`);
    if (octets > 4) throw new DerError(`length of ${octets} octets at byte ${offset}`);
    if (offset + 2 + octets > buffer.length) throw new DerError(`length runs past the end at byte ${offset}`);
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buffer[offset + 2 + i]!;
    headerLength += octets;
  }
  const contentStart = offset + headerLength;
  const end = contentStart + length;
  if (end > buffer.length) {
    throw new DerError(`element at byte ${offset} declares ${length} bytes but only ${buffer.length - contentStart} follow`);
  }
  return { tag, constructed: (tag & 0x20) !== 0, start: offset, end, content: buffer.subarray(contentStart, end) };
}

export function childrenOf(node: DerNode): DerNode[] {
  if (!node.constructed) throw new DerError(`element with tag 0x${node.tag.toString(16)} is not constructed`);
  const children: DerNode[] = [];
  let offset = 0;
  while (offset < node.content.length) {
    const child = readDer(node.content, offset);
    children.push(child);
    offset = child.end;
  }
  return children;
}

export function decodeOid(content: Buffer): string {
  if (content.length === 0) throw new DerError('empty OID');
  const first = content[0]!;
  const parts: number[] = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let value = 0;
  for (let i = 1; i < content.length; i++) {
    const byte = content[i]!;
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** Describes how a buffer fails to be exactly one DER element, or undefined when it is one. */
export function describeDerDamage(buffer: Buffer): string | undefined {
  let node: DerNode;
  try {
    node = readDer(buffer);
  } catch (error) {
    return error instanceof DerError ? error.message : String(error);
  }
  if (node.tag !== TAG.SEQUENCE) return `it starts with tag 0x${node.tag.toString(16)}, not a DER SEQUENCE`;
  if (node.end < buffer.length) return `${buffer.length - node.end} stray bytes follow the DER structure`;
  return undefined;
}

const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

export const OID_KEY_USAGE = '2.5.29.15';

/** The value (inner DER) of a certificate extension, or undefined when the certificate has none with that OID. */
export function findExtension(certificateDer: Buffer, oid: string): Buffer | undefined {
  const [tbs] = childrenOf(readDer(certificateDer));
  if (!tbs) throw new DerError('certificate has no TBSCertificate');
  // Extensions are the [3] EXPLICIT field at the end of the TBSCertificate.
  const extensionsField = childrenOf(tbs).find((child) => child.tag === 0xa3);
  if (!extensionsField) return undefined;
  const [extensions] = childrenOf(extensionsField);
  if (!extensions) return undefined;
  for (const extension of childrenOf(extensions)) {
    const fields = childrenOf(extension);
    const id = fields[0];
    const value = fields[fields.length - 1];
    if (id?.tag === TAG.OID && value?.tag === TAG.OCTET_STRING && decodeOid(id.content) === oid) return value.content;
  }
  return undefined;
}

/** Key usage names (RFC 5280 4.2.1.3) of a certificate, or undefined when the extension is absent. */
export function readKeyUsage(certificateDer: Buffer): string[] | undefined {
  const value = findExtension(certificateDer, OID_KEY_USAGE);
  if (!value) return undefined;
  const bitString = readDer(value);
  if (bitString.tag !== TAG.BIT_STRING || bitString.content.length === 0) throw new DerError('keyUsage is not a BIT STRING');
  const bits = bitString.content.subarray(1);
  return KEY_USAGE_BITS.filter((_, index) => {
    const byte = bits[index >> 3];
    return byte !== undefined && (byte & (0x80 >> (index & 7))) !== 0;
  });
}

function base64urlOfInteger(content: Buffer): string {
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start++;
  return content.subarray(start).toString('base64url');
}

/** `n` and `e` of an RSA SubjectPublicKeyInfo (rsaEncryption or RSASSA-PSS). */
export function rsaPublicNumbers(spkiDer: Buffer): { n: string; e: string } {
  const [, subjectPublicKey] = childrenOf(readDer(spkiDer));
  if (subjectPublicKey?.tag !== TAG.BIT_STRING) throw new DerError('SubjectPublicKeyInfo has no BIT STRING');
  const [n, e] = childrenOf(readDer(subjectPublicKey.content.subarray(1)));
  if (n?.tag !== TAG.INTEGER || e?.tag !== TAG.INTEGER) throw new DerError('RSAPublicKey has no modulus and exponent');
  return { n: base64urlOfInteger(n.content), e: base64urlOfInteger(e.content) };
}

/**
 * True when DER bytes are an EncryptedPrivateKeyInfo (RFC 5958): a SEQUENCE
 * of an algorithm identifier from the PKCS#5 or PKCS#12 password-based
 * families and an OCTET STRING. A wrong passphrase then surfaces as either a
 * decryption error or, when the padding happens to check out, as garbage:
 * both mean the passphrase is wrong.
 */
export function isEncryptedPkcs8Der(bytes: Buffer): boolean {
  try {
    const outer = readDer(bytes);
    if (outer.tag !== TAG.SEQUENCE) return false;
    const [algorithm, data] = childrenOf(outer);
    if (algorithm?.tag !== TAG.SEQUENCE || data?.tag !== TAG.OCTET_STRING) return false;
    const [oid] = childrenOf(algorithm);
    if (oid?.tag !== TAG.OID) return false;
    const name = decodeOid(oid.content);
    return name.startsWith('1.2.840.113549.1.5.') || name.startsWith('1.2.840.113549.1.12.1.');
  } catch {
    return false;
  }
}
