import type { X509Certificate } from 'node:crypto';
import { thumbprintOf } from './jwk.js';
import type { LoadedKey } from './types.js';

/**
 * True when the private key belongs to the certificate. OpenSSL's check
 * covers RSA and EC; comparing JWK thumbprints also matches an RSA key to an
 * RSA-PSS certificate of the same modulus.
 */
export function keyMatchesCertificate(key: LoadedKey, certificate: X509Certificate): boolean {
  if (key.privateKey.asymmetricKeyType === certificate.publicKey.asymmetricKeyType && certificate.checkPrivateKey(key.privateKey)) {
    return true;
  }
  return thumbprintOf(certificate.publicKey) === key.facts.thumbprint;
}

/** RFC 7638 thumbprint of a certificate's public key (to compare with a key's or a JWKS entry's). */
export function certificateKeyThumbprint(certificate: X509Certificate): string | undefined {
  return thumbprintOf(certificate.publicKey);
}
