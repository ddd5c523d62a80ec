import { beforeAll, describe, expect, it } from 'vitest';
import keyCheck from '../../checks/signing.key.js';
import certificateCheck from '../../checks/signing.certificate.js';
import check from '../../checks/signing.keypair.js';
import type { LoadedCertificate, LoadedKey } from '../../src/credentials/types.js';
import { createCa } from '../../src/sandbox/pki.js';
import { X509Certificate } from 'node:crypto';
import { credentialsDir, issue, pkcs12Of, writeCredential, type Issued } from '../support/credentials.js';
import { pkcs12InOrder } from '../support/pkcs12-bundle.js';
import { resolvedConfig, runContext } from '../support/resolved-config.js';

const dir = credentialsDir();
let root: Issued;
let intermediate: Issued;
let leaf: Issued;

beforeAll(async () => {
  const rsa = await issue({ key: { kind: 'rsa' } });
  const ec = await issue({ key: { kind: 'ec' }, subject: 'CN=other client, O=Example Ltd' });
  const files: Record<string, string | Buffer> = {
    'rsa.key': rsa.keyPem,
    'rsa.pem': rsa.certPem,
    'ec.key': ec.keyPem,
    'ec.pem': ec.certPem,
    'rsa.p12': pkcs12Of(rsa, 'pw'),
  };
  root = await createCa('CN=Example Root CA, O=Example Ltd');
  intermediate = await issue({ subject: 'CN=Example Issuing CA, O=Example Ltd', issuer: root, isCa: true, key: { kind: 'ec' } });
  leaf = await issue({ issuer: intermediate, key: { kind: 'rsa' }, subject: 'CN=chained client, O=Example Ltd' });
  const ecLeaf = await issue({ issuer: intermediate, key: { kind: 'ec' }, subject: 'CN=chained EC client, O=Example Ltd' });
  const sibling = await issue({ issuer: intermediate, key: { kind: 'ec' }, subject: 'CN=another client, O=Example Ltd' });
  Object.assign(files, {
    'chained.key': leaf.keyPem,
    'ordered.pem': leaf.certPem + intermediate.certPem,
    'reversed.pem': intermediate.certPem + leaf.certPem,
    'root-first.pem': root.certPem + intermediate.certPem + leaf.certPem,
    'shuffled.pem': leaf.certPem + root.certPem + intermediate.certPem,
    'sibling-first.pem': sibling.certPem + leaf.certPem + intermediate.certPem,
    'reversed.p12': pkcs12InOrder(leaf.privateKey, [root.certPem, intermediate.certPem, leaf.certPem], 'pw'),
    'reversed-ec.p12': pkcs12InOrder(ecLeaf.privateKey, [intermediate.certPem, ecLeaf.certPem], 'pw'),
  });
  for (const [name, content] of Object.entries(files)) writeCredential(dir, name, content);
});

/** Runs signing.key and signing.certificate as the runner would, for their outputs. */
async function depsFor(privateKey: string, certificate: string | undefined, algorithm: string) {
  const resolved = resolvedConfig(dir, { signing: { privateKey, ...(certificate !== undefined && { certificate }), algorithm, passphrase: 'pw' } });
  const ctx = runContext();
  const key = await keyCheck.run(ctx, { 'config.references': resolved });
  const cert = await certificateCheck.run(ctx, { 'config.references': resolved });
  if (!key.output || !cert.output) throw new Error(`fixture did not load: ${key.message ?? ''} ${cert.message ?? ''}`);
  return { 'signing.key': key.output, 'signing.certificate': cert.output };
}

describe('signing.keypair', () => {
  it.each([
    ['an RSA key and its certificate', 'rsa.key', 'rsa.pem', 'PS256'],
    ['an EC key and its certificate', 'ec.key', 'ec.pem', 'ES256'],
    ['a PKCS#12 bundle and its own certificate', 'rsa.p12', 'rsa.pem', 'RS256'],
  ])('passes for %s', async (_name, key, certificate, algorithm) => {
    const deps = await depsFor(key, certificate, algorithm);
    const result = await check.run(runContext(), deps);
    expect(result.status).toBe('pass');
    expect(result.output).toEqual({ key: deps['signing.key'], certificate: deps['signing.certificate'] });
    expect(result.evidence).toMatchObject({
      keyThumbprint: deps['signing.key'].facts.thumbprint,
      certificateKeyThumbprint: deps['signing.key'].facts.thumbprint,
      fingerprintSha256: deps['signing.certificate'].facts.fingerprintSha256,
      x5tS256: deps['signing.certificate'].facts.x5tS256,
    });
    expect(result.message).toMatch(/^The signing key \(thumbprint [\w-]{43}\) belongs to CN=/);
  });

  it('fails naming the key thumbprint and the certificate when they do not belong together', async () => {
    const key = (await depsFor('rsa.key', 'rsa.pem', 'PS256'))['signing.key'];
    const certificate = (await depsFor('ec.key', 'ec.pem', 'ES256'))['signing.certificate'];
    const result = await check.run(runContext(), { 'signing.key': key, 'signing.certificate': certificate });
    expect(result.status).toBe('fail');
    expect(result.code).toBe('key-certificate-mismatch');
    expect(result.message).toBe(
      `The signing key (thumbprint ${key.facts.thumbprint}) does not belong to the signing certificate CN=other client, O=Example Ltd (SHA-256 ${certificate.facts.fingerprintSha256}).`,
    );
    expect(result.hint).toBe('Set signing.privateKey to the key this certificate was issued for, or signing.certificate to the certificate issued for this key.');
    expect(result.evidence).toMatchObject({ keyThumbprint: key.facts.thumbprint, certificateKeyThumbprint: expect.not.stringMatching(key.facts.thumbprint) });
  });

  it('points at the bundle\'s own certificate when a separate one does not match', async () => {
    const deps = await depsFor('rsa.p12', 'ec.pem', 'RS256');
    const result = await check.run(runContext(), deps);
    expect(result.status).toBe('fail');
    expect(result.code).toBe('key-certificate-mismatch');
    expect(result.hint).toMatch(/^The bundle in signing\.privateKey carries the right certificate: remove signing\.certificate/);
  });

  describe('a certificate file holding a chain in another order', () => {
    const subject = (issued: Issued) => new X509Certificate(issued.certPem).subject.split('\n').join(', ');
    const fingerprint = (issued: Issued) => new X509Certificate(issued.certPem).fingerprint256;
    const HINT =
      'many tools take the first certificate as the one the key belongs to, as a JWKS x5c lists it first.';

    it('passes for the leaf first, then its issuer', async () => {
      const result = await check.run(runContext(), await depsFor('chained.key', 'ordered.pem', 'PS256'));
      expect(result.status).toBe('pass');
      expect(result.output?.certificate.chain.map((c) => c.fingerprint256)).toEqual([fingerprint(intermediate)]);
    });

    it.each([
      {
        file: 'reversed.pem',
        listed: () => [intermediate, leaf],
        sent: () => [leaf, intermediate],
        leafPosition: 2,
        message: () =>
          `reversed.pem lists the signing certificate ${subject(leaf)} as certificate 2 of 2, after ${subject(intermediate)}; golive uses it as the leaf, since the signing key belongs to it.`,
      },
      {
        file: 'root-first.pem',
        listed: () => [root, intermediate, leaf],
        sent: () => [leaf, intermediate, root],
        leafPosition: 3,
        message: () =>
          `root-first.pem lists the signing certificate ${subject(leaf)} as certificate 3 of 3, after ${subject(root)} and ${subject(intermediate)}; golive uses it as the leaf, since the signing key belongs to it.`,
      },
      {
        file: 'shuffled.pem',
        listed: () => [leaf, root, intermediate],
        sent: () => [leaf, intermediate, root],
        leafPosition: 1,
        message: () =>
          `shuffled.pem lists the certificates after the signing certificate out of issuing order (${subject(root)} and ${subject(intermediate)}); golive sends them in issuing order (${subject(intermediate)} and ${subject(root)}).`,
      },
    ])('warns about the order in $file, never a mismatch, and uses the leaf', async ({ file, listed, sent, leafPosition, message }) => {
      const deps = await depsFor('chained.key', file, 'PS256');
      expect(deps['signing.certificate'].facts.subject).toBe(subject(leaf));
      const result = await check.run(runContext(), deps);
      expect(result.status).toBe('warn');
      expect(result.code).toBe('chain-order');
      expect(result.message).toBe(message());
      expect(result.hint).toBe(`Put the leaf certificate first in ${file}, then the intermediates, each followed by the one that issued it: ${HINT}`);
      expect(result.evidence).toMatchObject({
        file,
        listed: listed().map(subject),
        sent: sent().map(subject),
        leafPosition,
        subject: subject(leaf),
        fingerprintSha256: fingerprint(leaf),
        keyThumbprint: deps['signing.key'].facts.thumbprint,
        certificateKeyThumbprint: deps['signing.key'].facts.thumbprint,
      });
      expect(result.output?.certificate.certificate.fingerprint256).toBe(fingerprint(leaf));
      expect(result.output?.certificate.chain.map((c) => c.fingerprint256)).toEqual(sent().slice(1).map(fingerprint));
    });

    it('finds the leaf by its key when the file holds another end-entity certificate first', async () => {
      const deps = await depsFor('chained.key', 'sibling-first.pem', 'PS256');
      expect(deps['signing.certificate'].facts.subject).toBe('CN=another client, O=Example Ltd');
      const result = await check.run(runContext(), deps);
      expect(result).toMatchObject({ status: 'warn', code: 'chain-order', evidence: { leafPosition: 2, fingerprintSha256: fingerprint(leaf) } });
      expect(result.message).toBe(
        `sibling-first.pem lists the signing certificate ${subject(leaf)} as certificate 2 of 3, after CN=another client, O=Example Ltd; golive uses it as the leaf, since the signing key belongs to it.`,
      );
      expect(result.output?.certificate.facts).toMatchObject({ subject: subject(leaf), chainDepth: 3 });
    });

    it('still fails when no certificate in the file belongs to the key, naming the leaf', async () => {
      const result = await check.run(runContext(), await depsFor('rsa.key', 'reversed.pem', 'PS256'));
      expect(result.status).toBe('fail');
      expect(result.code).toBe('key-certificate-mismatch');
      expect(result.message).toMatch(new RegExp(`does not belong to the signing certificate ${subject(leaf)} \\(SHA-256 ${fingerprint(leaf)}\\)\\.$`));
    });

    it.each([
      ['an RSA key', 'reversed.p12', 'PS256', () => [intermediate, root]],
      ['an EC key', 'reversed-ec.p12', 'ES256', () => [intermediate]],
    ] as const)('takes the leaf of a PKCS#12 bundle for %s holding it last, with no warning: bundle readers find it by its key', async (_name, bundle, algorithm, chain) => {
      const deps = await depsFor(bundle, undefined, algorithm);
      const result = await check.run(runContext(), deps);
      expect(result.status, result.message).toBe('pass');
      const certificates = result.output!.certificate;
      expect(certificates.listed).toBeUndefined();
      expect(certificates.certificate.checkPrivateKey(deps['signing.key'].privateKey)).toBe(true);
      expect(certificates.chain.map((c) => c.fingerprint256)).toEqual(chain().map(fingerprint));
      expect(deps['signing.key'].bundledCertificates?.[0]?.fingerprint256).toBe(certificates.certificate.fingerprint256);
    });
  });

  it('does not apply when the signing checks did not', async () => {
    const result = await check.run(runContext(), {
      'signing.key': undefined as LoadedKey | undefined,
      'signing.certificate': undefined as LoadedCertificate | undefined,
    });
    expect(result).toMatchObject({ status: 'skip', notApplicable: true, message: 'not applicable: no signing key and certificate in this config' });
  });
});
