import { createHash } from 'node:crypto';
import { publicMembersOf, type JwkMemberKind } from '../credentials/jwk.js';
import type { KeyPair } from '../credentials/types.js';
import type { PublishedJwk, RegisteredKey } from '../online/types.js';

/**
 * What golive knows about a local key pair for matching, computed once:
 * comparing a 1,000-key set is then string comparisons.
 */
export interface LocalKeyMaterial {
  kty: string;
  /** RFC 7638 thumbprint of the public key. */
  thumbprint: string;
  /** The certificate's SHA-256 as base64url (JWKS `x5t#S256`) and as openssl prints it. */
  x5tS256: string;
  fingerprintSha256: string;
  /** The key members as the key exports them (canonical base64url). */
  members: ReadonlyArray<readonly [name: string, value: string, kind: JwkMemberKind]>;
  /** The same members in canonical form, to recognise a copy published with another encoding. */
  canonical: readonly string[];
}

/** One JWKS entry that holds the local key. */
export interface JwksMatch {
  /** Position in `keys`. */
  index: number;
  jwk: PublishedJwk;
  matchedBy: RegisteredKey['matchedBy'];
  /** The `x5t#S256` of the certificate the entry registers (its own, or the hash of its first `x5c`), if it names one. */
  registeredX5tS256?: string;
}

const cache = new WeakMap<KeyPair, LocalKeyMaterial>();

function canonicalMember(value: string, kind: JwkMemberKind): string {
  if (kind === 'text') return value;
  // Node's base64 decoder reads both alphabets, with or without padding.
  const bytes = Buffer.from(value, 'base64');
  if (kind === 'bytes') return bytes.toString('base64url');
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start).toString('base64url');
}

/** The `x5t#S256` (base64url) as openssl prints a SHA-256 fingerprint: colon-separated upper-case hex. */
export function fingerprintOfX5t(x5tS256: string): string {
  return (
    Buffer.from(x5tS256, 'base64url')
      .toString('hex')
      .toUpperCase()
      .match(/../g)
      ?.join(':') ?? ''
  );
}

/** The facts of a key pair that matching compares (cached per key pair). */
export function localKeyMaterial(keyPair: KeyPair): LocalKeyMaterial {
  const known = cache.get(keyPair);
  if (known) return known;
  const jwk = keyPair.key.publicJwk as Record<string, unknown>;
  const kty = String(jwk.kty ?? '');
  const members = (publicMembersOf(kty) ?? []).map(([name, kind]) => [name, String(jwk[name] ?? ''), kind] as const);
  const material: LocalKeyMaterial = {
    kty,
    thumbprint: keyPair.key.facts.thumbprint,
    x5tS256: keyPair.certificate.facts.x5tS256,
    fingerprintSha256: keyPair.certificate.facts.fingerprintSha256,
    members,
    canonical: members.map(([, value, kind]) => canonicalMember(value, kind)),
  };
  cache.set(keyPair, material);
  return material;
}

/** The `x5t#S256` an entry registers: its own member, else the hash of its leaf `x5c`. */
export function registeredCertificateOf(jwk: PublishedJwk): string | undefined {
  if (typeof jwk['x5t#S256'] === 'string' && jwk['x5t#S256'] !== '') return jwk['x5t#S256'];
  const leaf = Array.isArray(jwk.x5c) ? jwk.x5c[0] : undefined;
  if (typeof leaf !== 'string' || leaf === '') return undefined;
  return createHash('sha256').update(Buffer.from(leaf, 'base64')).digest('base64url');
}

/**
 * Whether `published` can be another encoding of the same number or bytes as
 * `canonical`: a different length (leading zero bytes, padding), a leading
 * zero, or the standard alphabet. Cheap native scans, so a 1,000-key set of
 * other keys is rejected without decoding anything.
 */
function mayBeReencoded(published: string, canonical: string): boolean {
  return (
    published.length !== canonical.length ||
    published.charCodeAt(0) === 0x41 /* A: a leading zero byte */ ||
    published.includes('+') ||
    published.includes('/')
  );
}

type Comparison = 'same' | 'same-after-decoding' | 'different' | 'no-material';

function compareMaterial(local: LocalKeyMaterial, jwk: PublishedJwk): Comparison {
  if (jwk.kty !== local.kty || local.members.length === 0) return jwk.kty === undefined ? 'no-material' : 'different';
  const { members } = local;
  let exact = true;
  // Indexed loops: this runs once per JWKS entry, usually cold, so no iterator protocol.
  for (let i = 0; i < members.length; i++) {
    const published = jwk[members[i]![0]];
    if (typeof published !== 'string' || published === '') return 'no-material';
    if (published !== members[i]![1]) exact = false;
  }
  if (exact) return 'same';
  // A publisher may encode an integer with a leading zero byte, padding or the
  // standard alphabet: the same key then has another string (and thumbprint).
  for (let i = 0; i < members.length; i++) {
    const [name, value, kind] = members[i]!;
    const published = jwk[name] as string;
    if (published === value) continue;
    if (kind === 'text' || !mayBeReencoded(published, value)) return 'different';
    if (canonicalMember(published, kind) !== local.canonical[i]) return 'different';
  }
  return 'same-after-decoding';
}

/**
 * Every entry of `keys` that holds the key pair's public key, matched by key
 * material (the RFC 7638 members, so the same thumbprint), or, for an entry
 * without key members, by the certificate hash `x5t#S256`. Never by `kid`:
 * kids are opaque. An entry whose key members differ is not a match, whatever
 * certificate hash it claims.
 */
export function matchKeyToJwks(keyPair: KeyPair, keys: readonly PublishedJwk[]): JwksMatch[] {
  const local = localKeyMaterial(keyPair);
  const matches: JwksMatch[] = [];
  for (let index = 0; index < keys.length; index++) {
    const jwk = keys[index]!;
    if (typeof jwk !== 'object' || jwk === null) continue;
    const comparison = compareMaterial(local, jwk);
    let matchedBy: RegisteredKey['matchedBy'] | undefined;
    if (comparison === 'same') matchedBy = 'thumbprint';
    else if (comparison === 'same-after-decoding') matchedBy = local.kty === 'RSA' ? 'modulus' : 'coordinates';
    else if (comparison === 'no-material' && registeredCertificateOf(jwk) === local.x5tS256) matchedBy = 'x5t#S256';
    if (matchedBy === undefined) continue;
    const registeredX5tS256 = registeredCertificateOf(jwk);
    matches.push({ index, jwk, matchedBy, ...(registeredX5tS256 !== undefined && { registeredX5tS256 }) });
  }
  return matches;
}
