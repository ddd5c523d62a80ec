import { createHash, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwkThumbprint } from '../../src/credentials/jwk.js';
import type { KeyPair } from '../../src/credentials/types.js';
import { fingerprintOfX5t, localKeyMaterial, matchKeyToJwks } from '../../src/jwks/match.js';
import type { PublishedJwk } from '../../src/online/types.js';

/** What matching reads of a key pair: the public JWK, its thumbprint and the certificate hash. */
function keyPairFor(publicJwk: JsonWebKey, certificateDer = Buffer.from(JSON.stringify(publicJwk))): KeyPair {
  const x5tS256 = createHash('sha256').update(certificateDer).digest('base64url');
  return {
    key: { publicJwk, facts: { thumbprint: jwkThumbprint(publicJwk) } },
    certificate: { facts: { x5tS256, fingerprintSha256: fingerprintOfX5t(x5tS256) } },
  } as unknown as KeyPair;
}

const rsaJwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
const otherRsaJwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
const ecJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
const edJwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });

const rsa = keyPairFor(rsaJwk);
const published = (jwk: JsonWebKey, extra: Partial<PublishedJwk> = {}): PublishedJwk => ({ ...(jwk as PublishedJwk), kid: 'k', use: 'sig', ...extra });
const leadingZero = (value: string) => Buffer.concat([Buffer.alloc(1), Buffer.from(value, 'base64url')]).toString('base64url');

describe('matchKeyToJwks', () => {
  it.each<[string, KeyPair, PublishedJwk, string | undefined]>([
    ['RSA by identical members', rsa, published(rsaJwk), 'thumbprint'],
    ['RSA with a leading zero byte in n', rsa, published(rsaJwk, { n: leadingZero(rsaJwk.n!) }), 'modulus'],
    ['RSA with n in padded standard base64', rsa, published(rsaJwk, { n: Buffer.from(rsaJwk.n!, 'base64url').toString('base64') }), 'modulus'],
    ['RSA with another exponent', rsa, published(rsaJwk, { e: 'Aw' }), undefined],
    ['another RSA key', rsa, published(otherRsaJwk), undefined],
    ['EC by identical members', keyPairFor(ecJwk), published(ecJwk), 'thumbprint'],
    ['EC with a leading zero byte in x', keyPairFor(ecJwk), published(ecJwk, { x: leadingZero(ecJwk.x!) }), 'coordinates'],
    ['EC on another curve name', keyPairFor(ecJwk), published(ecJwk, { crv: 'P-384' }), undefined],
    ['Ed25519 by identical members', keyPairFor(edJwk), published(edJwk), 'thumbprint'],
    ['an RSA entry for an EC key', keyPairFor(ecJwk), published(rsaJwk), undefined],
    ['an entry with only the certificate hash', rsa, { kid: 'k', 'x5t#S256': rsa.certificate.facts.x5tS256 }, 'x5t#S256'],
    ['a kid equal to the thumbprint, and nothing else', rsa, { kid: rsa.key.facts.thumbprint }, undefined],
  ])('%s', (_name, keyPair, jwk, matchedBy) => {
    const matches = matchKeyToJwks(keyPair, [published(otherRsaJwk, { kid: 'decoy' }), jwk]);
    if (matchedBy === undefined) expect(matches).toEqual([]);
    else expect(matches).toEqual([expect.objectContaining({ index: 1, matchedBy, jwk })]);
  });

  it('finds every registration of the key, with the certificate each names', () => {
    const x5c = Buffer.from('another certificate');
    const keys = [published(rsaJwk, { kid: 'a' }), published(otherRsaJwk), published(rsaJwk, { kid: 'b', x5c: [x5c.toString('base64')] })];
    expect(matchKeyToJwks(rsa, keys)).toEqual([
      expect.objectContaining({ index: 0, jwk: keys[0] }),
      expect.objectContaining({ index: 2, registeredX5tS256: createHash('sha256').update(x5c).digest('base64url') }),
    ]);
  });

  it('skips entries that are not objects', () => {
    expect(matchKeyToJwks(rsa, [null, 7, 'x', published(rsaJwk)] as unknown as PublishedJwk[])).toHaveLength(1);
  });

  it('computes the local key facts once per key pair', () => {
    expect(localKeyMaterial(rsa)).toBe(localKeyMaterial(rsa));
  });

  it('writes x5t#S256 as openssl prints a SHA-256 fingerprint', () => {
    expect(fingerprintOfX5t(Buffer.from([0, 1, 0xab, 0xff]).toString('base64url'))).toBe('00:01:AB:FF');
  });
});
