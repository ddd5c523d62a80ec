import { createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { thumbprintOf } from './jwk.js';
import type { LoadedKey } from './types.js';

/**
 * True when the private key belongs to the certificate. OpenSSL's check
 * covers keys of the certificate's own type; comparing JWK thumbprints also
 * matches an RSA key to an RSA-PSS certificate of the same modulus.
 */
export function privateKeyMatchesCertificate(privateKey: KeyObject, certificate: X509Certificate, thumbprint?: string): boolean {
  let publicKey: KeyObject;
  try {
    publicKey = certificate.publicKey;
  } catch {
    // A public key OpenSSL cannot decode belongs to no key golive loaded; the certificate loader names the problem.
    return false;
  }
  if (privateKey.asymmetricKeyType === publicKey.asymmetricKeyType && certificate.checkPrivateKey(privateKey)) return true;
  const own = thumbprint ?? thumbprintOf(createPublicKey(privateKey));
  return own !== undefined && thumbprintOf(publicKey) === own;
}

/** Answers so far, by key and certificate: configs that share a loaded key and certificate ask once (OpenSSL's check costs about as much as loading the key). */
const answers = new WeakMap<KeyObject, WeakMap<X509Certificate, boolean>>();

export function keyMatchesCertificate(key: LoadedKey, certificate: X509Certificate): boolean {
  let known = answers.get(key.privateKey);
  if (!known) answers.set(key.privateKey, (known = new WeakMap()));
  let answer = known.get(certificate);
  if (answer === undefined) known.set(certificate, (answer = privateKeyMatchesCertificate(key.privateKey, certificate, key.facts.thumbprint)));
  return answer;
}

/** Thumbprints so far: configs that share a loaded certificate ask once (each `publicKey` is a new KeyObject to export). */
const certificateThumbprints = new WeakMap<X509Certificate, string | undefined>();

/** RFC 7638 thumbprint of a certificate's public key (to compare with a key's or a JWKS entry's). */
export function certificateKeyThumbprint(certificate: X509Certificate): string | undefined {
  if (!certificateThumbprints.has(certificate)) certificateThumbprints.set(certificate, thumbprintOf(certificate.publicKey));
  return certificateThumbprints.get(certificate);
}
