import { X509Certificate, createHash } from 'node:crypto';
import * as fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatDistinguishedName, loadCertificate, loadCertificateFromBundle } from '../../src/credentials/certificates.js';
import { REPAIRS } from '../../src/credentials/pem.js';
import { createCa } from '../../src/sandbox/pki.js';
import { credentialsDir, issue, issueSelfSigned, pemBody, pkcs12Of, writeCredential, type Issued } from '../support/credentials.js';

const dir = credentialsDir();
const notBefore = new Date('2026-01-01T00:00:00Z');
const notAfter = new Date('2027-01-01T00:00:00Z');
let ca: Issued;
let leaf: Issued;
let selfSigned: Issued;

beforeAll(async () => {
  ca = await createCa('CN=Example Issuing CA, O=Example Ltd');
  leaf = await issue({ issuer: ca, key: { kind: 'ec' }, notBefore, notAfter, keyUsage: ['digitalSignature', 'keyEncipherment'], extKeyUsage: ['clientAuth', 'serverAuth'] });
  selfSigned = await issueSelfSigned({ key: { kind: 'rsa' }, keyUsage: [] });
});

const load = (name: string, content: string | Buffer, passphrase?: string) =>
  loadCertificate(writeCredential(dir, name, content), { displayName: name, section: 'transport', ...(passphrase ? { passphrase } : {}) });

/**
 * The certificate's DER with its keyUsage value tagged OCTET STRING instead of
 * BIT STRING: Node still parses the certificate, as it reads extensions only
 * when asked (the property test found this shape).
 */
function withKeyUsageRetagged(certPem: string): Buffer {
  const der = Buffer.from(new X509Certificate(certPem).raw);
  const oid = der.indexOf(Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0f]));
  let at = oid + 5;
  if (der[at] === 0x01) at += 3; // critical BOOLEAN
  if (oid === -1 || der[at] !== 0x04 || der[at + 2] !== 0x03) throw new Error('no keyUsage BIT STRING where expected');
  der[at + 2] = 0x04;
  return der;
}

describe('loadCertificate', () => {
  it('reports the facts support asks for', async () => {
    const result = await load('leaf.pem', leaf.certPem + ca.certPem);
    if (!result.ok) throw new Error(result.finding.message);
    const x509 = new X509Certificate(leaf.certPem);
    expect(result.value.facts).toEqual({
      subject: 'CN=golive test client, O=Example Ltd, C=GB',
      issuer: 'CN=Example Issuing CA, O=Example Ltd',
      serialNumber: x509.serialNumber,
      notBefore: '2026-01-01T00:00:00.000Z',
      notAfter: '2027-01-01T00:00:00.000Z',
      fingerprintSha256: x509.fingerprint256,
      x5tS256: createHash('sha256').update(x509.raw).digest('base64url'),
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extKeyUsage: ['clientAuth', 'serverAuth'],
      chainDepth: 2,
      selfSigned: false,
    });
    expect(Buffer.from(result.value.facts.x5tS256, 'base64url').toString('hex')).toBe(x509.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(result.value.chain.map((c) => c.subject)).toEqual([new X509Certificate(ca.certPem).subject]);
    expect(result.repaired).toEqual([]);
  });

  it('finds the leaf in a chain in any order, keeps the file order and orders the rest as TLS sends them', async () => {
    const root = await createCa('CN=Example Root CA, O=Example Ltd');
    const issuing = await issue({ subject: 'CN=Example Intermediate CA, O=Example Ltd', issuer: root, isCa: true, key: { kind: 'ec' } });
    const client = await issue({ issuer: issuing, key: { kind: 'ec' } });
    const fingerprint = (issued: Issued) => new X509Certificate(issued.certPem).fingerprint256;
    for (const [name, order] of [
      ['leaf-first.pem', [client, issuing, root]],
      ['leaf-last.pem', [root, issuing, client]],
      ['leaf-middle.pem', [issuing, client, root]],
    ] as const) {
      const result = await load(name, order.map((issued) => issued.certPem).join(''));
      if (!result.ok) throw new Error(result.finding.message);
      expect(result.value.certificate.fingerprint256).toBe(fingerprint(client));
      expect(result.value.chain.map((c) => c.fingerprint256)).toEqual([fingerprint(issuing), fingerprint(root)]);
      expect(result.value.facts).toMatchObject({ subject: 'CN=golive test client, O=Example Ltd, C=GB', chainDepth: 3 });
      expect(result.value.listed?.file).toBe(name);
      expect(result.value.listed?.certificates.map((c) => c.fingerprint256)).toEqual(order.map(fingerprint));
    }
    // Only CA certificates (a trust-anchor bundle): nothing is a leaf, the file's order stays.
    const anchors = await load('anchors.pem', issuing.certPem + root.certPem + ca.certPem);
    expect(anchors.ok && [anchors.value.certificate, ...anchors.value.chain].map((c) => c.fingerprint256)).toEqual([issuing, root, ca].map(fingerprint));
  });

  it('leaves keyUsage and extKeyUsage out when the certificate has none', async () => {
    const result = await load('self.pem', selfSigned.certPem);
    expect(result.ok && result.value.facts).toMatchObject({ chainDepth: 1, selfSigned: true });
    expect(result.ok && 'keyUsage' in result.value.facts).toBe(false);
    expect(result.ok && 'extKeyUsage' in result.value.facts).toBe(false);
  });

  it('reads DER and repaired PEM', async () => {
    const der = await load('leaf.der', new X509Certificate(leaf.certPem).raw);
    expect(der.ok && der.value.facts.fingerprintSha256).toBe(new X509Certificate(leaf.certPem).fingerprint256);
    const crlf = await load('crlf.pem', leaf.certPem.replace(/\n/g, '\r\n'));
    expect(crlf.ok && crlf.repaired).toEqual([REPAIRS.crlf]);
  });

  it('takes the certificate out of a PKCS#12 bundle unchanged', async () => {
    const bundle = pkcs12Of(selfSigned, 'pw');
    const direct = await load('bundle.p12', bundle, 'pw');
    const fromKey = await loadCertificateFromBundle(writeCredential(dir, 'key.pfx', bundle), 'pw');
    const fingerprint = new X509Certificate(selfSigned.certPem).fingerprint256;
    expect(direct.ok && direct.value.facts.fingerprintSha256).toBe(fingerprint);
    expect(fromKey.ok && fromKey.value.facts.fingerprintSha256).toBe(fingerprint);
  });

  const cases: [string, string, () => string | Buffer, RegExp, RegExp, string][] = [
    ['a private key', 'key-as-cert.pem', () => leaf.keyPem, /^key-as-cert\.pem holds a private key, not a certificate\.$/, /transport\.certificate at the certificate .* and transport\.privateKey at this file/, 'not-a-certificate'],
    ['a DER private key', 'key-as-cert.der', () => leaf.privateKey.export({ type: 'pkcs8', format: 'der' }), /holds a private key, not a certificate/, /transport\.certificate/, 'not-a-certificate'],
    ['a certificate request', 'req.pem', () => leaf.keyPem.replace(/PRIVATE KEY/g, 'CERTIFICATE REQUEST'), /holds a certificate signing request/, /Send the request to your CA/, 'not-a-certificate'],
    ['broken PEM', 'broken.pem', () => leaf.certPem.replace('-----END CERTIFICATE-----', ''), /is not valid PEM: the '-----BEGIN CERTIFICATE-----' line has no matching END line/, /intact copy of the certificate/, 'pem-malformed'],
    ['a corrupt certificate', 'corrupt.pem', () => `-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n`, /Certificate 1 of 1 in corrupt\.pem is not a valid X\.509 certificate/, /intact copy/, 'certificate-corrupt'],
    ['a key usage extension that is not a BIT STRING', 'damaged-usage.der', () => withKeyUsageRetagged(leaf.certPem), /^Certificate 1 of 1 in damaged-usage\.der has a key usage extension golive cannot read \(keyUsage is not a BIT STRING\): the file is damaged\.$/, /intact copy of the certificate/, 'certificate-corrupt'],
    ['random bytes', 'random.crt', () => Buffer.from('not a certificate'), /is neither PEM .* nor DER/, /PEM or DER/, 'unrecognised-format'],
    ['an empty file', 'empty.crt', () => '', /^empty\.crt is empty\.$/, /Copy the certificate/, 'file-empty'],
  ];
  it.each(cases)('explains %s', async (_name, file, content, message, hint, problem) => {
    const result = await load(file, content());
    if (result.ok) throw new Error('loaded');
    expect(result.finding).toMatchObject({ problem });
    expect(result.finding.message).toMatch(message);
    expect(result.finding.hint).toMatch(hint);
  });

  it('explains a missing certificate beside a non-bundle key', async () => {
    const result = await loadCertificateFromBundle(writeCredential(dir, 'plain.key', leaf.keyPem), undefined, { displayName: 'plain.key', section: 'signing' });
    expect(!result.ok && result.finding.message).toBe('signing.certificate is not set and plain.key is not a PKCS#12 bundle that could carry the certificate.');
  });

  it('never throws on random bytes or mangled PEM', async () => {
    const pem = leaf.certPem + ca.certPem;
    const mangled = fc
      .array(fc.tuple(fc.nat(pem.length), fc.nat(8), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 4 })
      .map((edits) => edits.reduce((text, [at, cut, insert]) => text.slice(0, at) + insert + text.slice(at + cut), pem));
    const content = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)), mangled);
    await fc.assert(
      fc.asyncProperty(content, fc.constantFrom('c.pem', 'c.der', 'c.p12'), async (bytes, file) => {
        const result = await load(`fuzz/${file}`, bytes);
        if (!result.ok) expect(result.finding.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });
});

describe('formatDistinguishedName', () => {
  it('joins node\'s lines in certificate order, escaping commas', () => {
    expect(formatDistinguishedName('C=GB\nO=Example, Ltd\nCN=client')).toBe('C=GB, O=Example\\, Ltd, CN=client');
  });
});

it('keeps the PEM body helper honest', () => {
  expect(Buffer.from(pemBody(leaf.certPem), 'base64')).toEqual(new X509Certificate(leaf.certPem).raw);
});
