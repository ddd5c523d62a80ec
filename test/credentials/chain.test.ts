import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { orderCertificates } from '../../src/credentials/chain.js';
import { generateKeys, type Issued } from '../../src/sandbox/pki.js';
import { issue } from '../support/credentials.js';

afterEach(() => vi.restoreAllMocks());

describe('ordering a hostile certificate file', () => {
  it('bounds the signature checks when every certificate bears the same name, even in an issuing cycle', async () => {
    // Certificate i is issued by certificate i + 1 (mod n), all named CN=loop: no leaf, and each
    // candidate's issuer test would verify about i signatures, n²/2 in all, without a budget.
    const n = 40;
    const keys = await Promise.all(Array.from({ length: n }, () => generateKeys({ kind: 'ec', curve: 'P-256' })));
    const named = { subject: 'CN=loop' } as Issued['cert'];
    const certificates = await Promise.all(
      keys.map(async (own, i) =>
        new X509Certificate((await issue({ subject: 'CN=loop', keys: own, issuer: { keys: keys[(i + 1) % n]!, cert: named } as Issued })).certPem),
      ),
    );
    expect(certificates[0]!.verify(certificates[1]!.publicKey)).toBe(true);
    const verify = vi.spyOn(X509Certificate.prototype, 'verify');
    const ordered = orderCertificates(certificates as [X509Certificate, ...X509Certificate[]]);
    expect(verify.mock.calls.length).toBeLessThanOrEqual(256);
    expect(verify.mock.calls.length).toBeGreaterThan(0);
    expect([ordered.leaf, ...ordered.chain]).toHaveLength(n);
  });
});
