import { createHash, type JsonWebKey, type KeyObject } from 'node:crypto';
import { rsaPublicNumbers } from './asn1.js';

/** The members RFC 7638 hashes, per key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/** OpenSSL curve names node can export as JWK. */
const JWK_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1', 'secp256k1']);

/** JOSE names of the OpenSSL curve names. */
export const CURVE_NAMES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
  secp256k1: 'secp256k1',
};

/** The public JWK of a key; RSA-PSS keys (which node cannot export as JWK) are described by their modulus. */
export function publicJwkOf(publicKey: KeyObject): JsonWebKey {
  if (publicKey.asymmetricKeyType === 'rsa-pss') {
    return { kty: 'RSA', ...rsaPublicNumbers(publicKey.export({ type: 'spki', format: 'der' })) };
  }
  return publicKey.export({ format: 'jwk' });
}

/** RFC 7638 JWK thumbprint: SHA-256 over the required members, base64url. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty ?? ''];
  if (!members) throw new Error(`no RFC 7638 thumbprint for kty ${String(jwk.kty)}`);
  const canonical = `{${members.map((name) => `${JSON.stringify(name)}:${JSON.stringify(jwk[name])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The thumbprint of a published JWK, when it carries every member RFC 7638 hashes. */
export function jwkThumbprintIfComplete(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const members = THUMBPRINT_MEMBERS[String(jwk.kty ?? '')];
  if (!members || !members.every((member) => typeof jwk[member] === 'string')) return undefined;
  return jwkThumbprint(jwk as JsonWebKey);
}

/** Thumbprint of a public key, or undefined for key types JWK cannot express (e.g. DSA). */
export function thumbprintOf(publicKey: KeyObject): string | undefined {
  const jwk = publicKeyJwkOrUndefined(publicKey);
  return jwk ? jwkThumbprint(jwk) : undefined;
}

function publicKeyJwkOrUndefined(publicKey: KeyObject): JsonWebKey | undefined {
  const type = publicKey.asymmetricKeyType;
  if (type === 'ec' && !JWK_CURVES.has(publicKey.asymmetricKeyDetails?.namedCurve ?? '')) return undefined;
  if (type === 'rsa' || type === 'rsa-pss' || type === 'ec' || type === 'ed25519' || type === 'ed448') {
    const jwk = publicJwkOf(publicKey);
    return THUMBPRINT_MEMBERS[jwk.kty ?? ''] ? jwk : undefined;
  }
  return undefined;
}
