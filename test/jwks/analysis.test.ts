import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../src/credentials/types.js';
import { analyseRegistration, registrationEvidence } from '../../src/jwks/analysis.js';
import { credentialsDir, daysFromNow, issue, writeCredential } from '../support/credentials.js';
import { keyPairOf, publishedOf } from '../support/jwks-fixtures.js';

const dir = credentialsDir();
/** A key pair, the same key under a certificate that expired, and an unrelated pair. */
let local: KeyPair;
let expired: KeyPair;
let other: KeyPair;

beforeAll(async () => {
  const [localIssued, otherIssued] = await Promise.all([issue({ key: { kind: 'rsa' } }), issue({ key: { kind: 'rsa' }, subject: 'CN=other' })]);
  const expiredIssued = await issue({ keys: localIssued.keys, subject: 'CN=expired', notBefore: daysFromNow(-400), notAfter: daysFromNow(-35) });
  const write = (name: string, issued: typeof localIssued) =>
    keyPairOf(writeCredential(dir, `${name}.pem`, issued.certPem), writeCredential(dir, `${name}.key`, issued.keyPem));
  [local, expired, other] = await Promise.all([write('local', localIssued), write('expired', expiredIssued), write('other', otherIssued)]);
});

const NOW = Date.now();

describe('analyseRegistration', () => {
  it('finds nothing in a key set of other keys', () => {
    const analysis = analyseRegistration(local, [publishedOf(other, 'o1')], 'signing', { now: NOW });
    expect(analysis).toMatchObject({ found: 'none', local: { thumbprint: local.key.facts.thumbprint } });
  });

  it.each([
    ['signing', 'as-sig'],
    ['transport', 'as-tls'],
  ] as const)('chooses the entry published for %s', (role, kid) => {
    const keys = [publishedOf(local, 'as-sig', 'sig'), publishedOf(local, 'as-tls', 'tls')];
    const analysis = analyseRegistration(local, keys, role, { now: NOW });
    if (analysis.found !== 'registered') throw new Error(`expected a registration, got ${analysis.found}`);
    expect(analysis.registration).toMatchObject({ key: { kid }, kidLabel: `kid "${kid}"`, otherKids: [kid === 'as-sig' ? 'as-tls' : 'as-sig'] });
  });

  it('chooses the configured kid over the ranking, and says when no entry of the key has it', () => {
    const keys = [publishedOf(local, 'as-sig', 'sig'), publishedOf(local, 'as-tls', 'tls')];
    const named = analyseRegistration(local, keys, 'signing', { now: NOW, kid: 'as-tls' });
    expect(named).toMatchObject({ found: 'registered', registration: { key: { kid: 'as-tls', use: 'tls' } } });
    const missing = analyseRegistration(local, keys, 'signing', { now: NOW, kid: 'invented' });
    expect(missing).toEqual({ found: 'under-other-kids', local: expect.any(Object), kid: 'invented', registeredKids: ['as-sig', 'as-tls'], matchedBy: 'thumbprint' });
  });

  it('reports the registered certificate when it is not the local one, and whether it had expired at `now`', () => {
    const keys = [publishedOf(expired, 'old', 'sig', { key_ops: ['verify'], alg: 'PS256' })];
    const notAfter = Date.parse(expired.certificate.facts.notAfter);
    const before = analyseRegistration(local, keys, 'transport', { now: notAfter - 1_000 });
    const after = analyseRegistration(local, keys, 'transport', { now: notAfter + 1_000 });
    if (before.found !== 'registered' || after.found !== 'registered') throw new Error('expected registrations');
    expect(before.registration).toMatchObject({ otherCertificate: { x5tS256: expired.certificate.facts.x5tS256 }, otherCertificateExpired: false });
    expect(after.registration.otherCertificateExpired).toBe(true);
    expect(registrationEvidence(after.registration)).toEqual({
      kid: 'old',
      use: 'sig',
      alg: 'PS256',
      matchedBy: 'thumbprint',
      keyOps: ['verify'],
      registeredCertificate: {
        x5tS256: expired.certificate.facts.x5tS256,
        fingerprintSha256: expired.certificate.facts.fingerprintSha256,
        subject: 'CN=expired',
        notAfter: expect.any(String),
      },
      registeredCertificateExpired: true,
    });
  });

  it('has no other certificate when the entry registers the local one', () => {
    const analysis = analyseRegistration(local, [publishedOf(local, 'k')], 'signing', { now: NOW });
    if (analysis.found !== 'registered') throw new Error('expected a registration');
    expect(analysis.registration.otherCertificate).toBeUndefined();
    expect(analysis.registration.otherCertificateExpired).toBe(false);
    expect(registrationEvidence(analysis.registration)).not.toHaveProperty('registeredCertificate');
  });
});
