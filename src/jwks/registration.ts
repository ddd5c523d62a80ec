import { X509Certificate } from 'node:crypto';
import { escaped } from '../config/pasted.js';
import type { PublishedJwk, RegisteredKey } from '../online/types.js';
import { fingerprintOfX5t, type JwksMatch, type LocalKeyMaterial } from './match.js';

/** The certificate a JWKS entry registers with a key, as far as the entry says. */
export interface RegisteredCertificate {
  x5tS256: string;
  fingerprintSha256: string;
  subject?: string;
  notAfter?: string;
}

/**
 * Orders the entries holding the local key, best first: the entry whose
 * certificate is the local one, then the one published for the intended
 * `use` (or for any use), then one with a kid. Stable otherwise, so the
 * JWKS order decides ties.
 */
export function rankMatches(matches: readonly JwksMatch[], local: LocalKeyMaterial, use: string): JwksMatch[] {
  const score = (match: JwksMatch): number =>
    (match.registeredX5tS256 === local.x5tS256 ? 4 : 0) +
    (match.jwk.use === use ? 2 : match.jwk.use === undefined ? 1 : 0) +
    (typeof match.jwk.kid === 'string' && match.jwk.kid !== '' ? 1 : 0);
  return matches
    .map((match, order) => ({ match, order, score: score(match) }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ match }) => match);
}

/** How a match was made, in words for a message. */
export function describeMatchedBy(matchedBy: RegisteredKey['matchedBy'], local: LocalKeyMaterial): string {
  switch (matchedBy) {
    case 'thumbprint':
      return `by key material (RFC 7638 thumbprint ${local.thumbprint})`;
    case 'modulus':
      return 'by RSA modulus and exponent (published with another encoding of the same numbers)';
    case 'coordinates':
      return 'by the public key coordinates (published with another encoding of the same numbers)';
    case 'x5t#S256':
      return `by certificate hash x5t#S256 ${local.x5tS256} (the entry has no key members)`;
  }
}

/** Subject and expiry of the entry's leaf certificate, when `x5c` holds one that hashes to `x5tS256`. */
export function registeredCertificate(jwk: PublishedJwk, x5tS256: string): RegisteredCertificate {
  const facts: RegisteredCertificate = { x5tS256, fingerprintSha256: fingerprintOfX5t(x5tS256) };
  const leaf = Array.isArray(jwk.x5c) ? jwk.x5c[0] : undefined;
  if (typeof leaf !== 'string') return facts;
  try {
    const certificate = new X509Certificate(Buffer.from(leaf, 'base64'));
    if (certificate.fingerprint256 !== facts.fingerprintSha256) return facts;
    return { ...facts, subject: certificate.subject.split('\n').join(', '), notAfter: new Date(certificate.validTo).toISOString() };
  } catch {
    // An x5c that does not parse still has the hash the entry claims.
    return facts;
  }
}

/** `kid "a1"`, or `no kid` for an entry without one. */
export function kidLabel(jwk: PublishedJwk): string {
  return typeof jwk.kid === 'string' && jwk.kid !== '' ? `kid ${escaped(jwk.kid)}` : 'no kid';
}

export function registeredKeyOf(match: JwksMatch): RegisteredKey {
  const { jwk } = match;
  return {
    ...(typeof jwk.kid === 'string' && { kid: jwk.kid }),
    ...(typeof jwk.use === 'string' && { use: jwk.use }),
    ...(typeof jwk.alg === 'string' && { alg: jwk.alg }),
    matchedBy: match.matchedBy,
    jwk,
  };
}
