import { createHash, type JsonWebKey, type KeyObject } from 'node:crypto';
import { rsaPublicNumbers } from './asn1.js';

/** How one public-key member compares: as an unsigned integer, as bytes, or as text. */
export type JwkMemberKind = 'integer' | 'bytes' | 'text';

export type JwkPublicMembers = ReadonlyArray<readonly [name: string, kind: JwkMemberKind]>;

/**
 * The public members of each key type that RFC 7638 hashes (kty aside), and
 * how each compares. A Map: `kty` comes from published JWKS, and a plain
 * object would answer "constructor" or "valueOf" from its prototype.
 */
const PUBLIC_MEMBERS: ReadonlyMap<string, JwkPublicMembers> = new Map([
  ['RSA', [['n', 'integer'], ['e', 'integer']]],
  ['EC', [['crv', 'text'], ['x', 'integer'], ['y', 'integer']]],
  ['OKP', [['crv', 'text'], ['x', 'bytes']]],
] as const);

/** The public members of a key type, or undefined for a kty golive cannot match (`oct`, unknown, not a string). */
export function publicMembersOf(kty: unknown): JwkPublicMembers | undefined {
  return typeof kty === 'string' ? PUBLIC_MEMBERS.get(kty) : undefined;
}

/** The members RFC 7638 hashes, in lexicographic order. */
function thumbprintMembersOf(kty: unknown): string[] | undefined {
  const members = publicMembersOf(kty);
  return members && [...members.map(([name]) => name), 'kty'].sort();
}

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
  const members = thumbprintMembersOf(jwk.kty);
  if (!members) throw new Error(`no RFC 7638 thumbprint for kty ${String(jwk.kty)}`);
  const canonical = `{${members.map((name) => `${JSON.stringify(name)}:${JSON.stringify(jwk[name])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The thumbprint of a published JWK, when it carries every member RFC 7638 hashes. */
export function jwkThumbprintIfComplete(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const members = thumbprintMembersOf(jwk.kty);
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
    return publicMembersOf(jwk.kty) ? jwk : undefined;
  }
  return undefined;
}
