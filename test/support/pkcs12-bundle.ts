import { X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

// node-forge writes PKCS#12 for RSA keys only, and the openssl CLI puts the
// key's certificate first whatever its input order. This writes the bags
// itself: the certificates in the order given, then the key, for any key type.

const { asn1, pki } = forge;
type Asn1 = forge.asn1.Asn1;

const sequence = (...value: Asn1[]): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, value);
const oid = (id: string): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const octets = (bytes: string): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const integer = (value: number): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());
const explicit = (value: Asn1): Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [value]);
const data = (content: Asn1): Asn1 => sequence(oid(pki.oids.data!), explicit(octets(asn1.toDer(content).getBytes())));

/** A password-protected PKCS#12 bundle (3DES, SHA-1 MAC, 2048 iterations) holding `certificates` in this order and the key. */
export function pkcs12InOrder(key: KeyObject, certificates: readonly string[], password: string): Buffer {
  const certificateBags = certificates.map((pem) =>
    sequence(
      oid(pki.oids.certBag!),
      explicit(sequence(oid(pki.oids.x509Certificate!), explicit(octets(new X509Certificate(pem).raw.toString('binary'))))),
    ),
  );
  const keyInfo = asn1.fromDer(key.export({ type: 'pkcs8', format: 'der' }).toString('binary'));
  const keyBag = sequence(oid(pki.oids.pkcs8ShroudedKeyBag!), explicit(pki.encryptPrivateKeyInfo(keyInfo, password, { algorithm: '3des' })));
  const authenticatedSafe = asn1.toDer(sequence(data(sequence(...certificateBags)), data(sequence(keyBag)))).getBytes();

  const salt = forge.random.getBytesSync(8);
  const iterations = 2048;
  const { generateKey } = forge.pkcs12 as unknown as {
    generateKey(password: string, salt: forge.util.ByteStringBuffer, id: number, iterations: number, size: number): forge.util.ByteStringBuffer;
  };
  const hmac = forge.hmac.create();
  // RFC 7292 B.3: ID 3 derives the MAC key.
  hmac.start(forge.md.sha1.create(), generateKey(password, forge.util.createBuffer(salt), 3, iterations, 20).getBytes());
  hmac.update(authenticatedSafe);
  const digestInfo = sequence(sequence(oid(pki.oids.sha1!), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')), octets(hmac.getMac().getBytes()));
  const pfx = sequence(integer(3), sequence(oid(pki.oids.data!), explicit(octets(authenticatedSafe))), sequence(digestInfo, octets(salt), integer(iterations)));
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}
