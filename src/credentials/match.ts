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

export function keyMatchesCertificate(key: LoadedKey, certificate: X509Certificate): boolean {
  return privateKeyMatchesCertificate(key.privateKey, certificate, key.facts.thumbprint);
}

/** RFC 7638 thumbprint of a certificate's public key (to compare with a key's or a JWKS entry's). */
export function certificateKeyThumbprint(certificate: X509Certificate): string | undefined {
  return thumbprintOf(certificate.publicKey);
}
