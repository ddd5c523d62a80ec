import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import keyCheck from '../../checks/transport.key.js';
import certificateCheck from '../../checks/transport.certificate.js';
import check from '../../checks/transport.keypair.js';
import { X509Certificate } from 'node:crypto';
import { tlsMaterialFor } from '../../src/net/material.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createCa } from '../../src/sandbox/pki.js';
import { runOnline, sandboxEnv } from '../support/online.js';
import { credentialsDir, daysFromNow, issue, writeCredential, type Issued } from '../support/credentials.js';
import { pkcs12InOrder } from '../support/pkcs12-bundle.js';
import { resolvedConfig, runContext } from '../support/resolved-config.js';

const dir = credentialsDir();
let intermediate: Issued;
let chained: Issued;

beforeAll(async () => {
  const root = await createCa('CN=Example Root CA, O=Example Ltd');
  intermediate = await issue({ subject: 'CN=Example Issuing CA, O=Example Ltd', issuer: root, isCa: true, key: { kind: 'ec' } });
  chained = await issue({ issuer: intermediate, key: { kind: 'ec' }, subject: 'CN=chained transport, O=Example Ltd', extKeyUsage: ['clientAuth'] });
  writeCredential(dir, 'tls/chained.key', chained.keyPem);
  writeCredential(dir, 'tls/reversed.pem', intermediate.certPem + chained.certPem);
  writeCredential(dir, 'tls/twice.pem', chained.certPem + chained.certPem + intermediate.certPem);
  writeCredential(dir, 'tls/issuing-ca.key', intermediate.keyPem);
  writeCredential(dir, 'tls/ca-key.p12', pkcs12InOrder(intermediate.privateKey, [chained.certPem, intermediate.certPem], 'bundle-pw'));
  const sibling = await issue({ issuer: intermediate, key: { kind: 'ec' }, subject: 'CN=sibling transport, O=Example Ltd', extKeyUsage: ['clientAuth'] });
  const lapsed = await issue({
    issuer: intermediate,
    keys: chained.keys,
    subject: 'CN=lapsed transport, O=Example Ltd',
    notBefore: daysFromNow(-60),
    notAfter: daysFromNow(-2),
    extKeyUsage: ['clientAuth'],
  });
  writeCredential(dir, 'tls/sibling-first.pem', sibling.certPem + lapsed.certPem + intermediate.certPem);
  const mine = await issue({ key: { kind: 'ec', curve: 'P-384' }, extKeyUsage: ['clientAuth'] });
  const theirs = await issue({ key: { kind: 'ec' }, subject: 'CN=someone else', extKeyUsage: ['clientAuth'] });
  writeCredential(dir, 'tls/client.key', mine.privateKey.export({ type: 'sec1', format: 'pem' }));
  writeCredential(dir, 'tls/client.pem', mine.certPem);
  writeCredential(dir, 'tls/other.pem', theirs.certPem);
});

async function depsFor(certificate: string | undefined, privateKey = 'tls/client.key', passphrase?: string) {
  const resolved = resolvedConfig(dir, { transport: { privateKey, ...(certificate !== undefined && { certificate }), ...(passphrase !== undefined && { passphrase }) } });
  const key = await keyCheck.run(runContext(), { 'config.references': resolved });
  const cert = await certificateCheck.run(runContext(), { 'config.references': resolved });
  if (!key.output || !cert.output) throw new Error(`fixture did not load: ${key.message ?? ''} ${cert.message ?? ''}`);
  return { 'transport.key': key.output, 'transport.certificate': cert.output };
}

describe('transport.keypair', () => {
  it('passes for a key and its certificate', async () => {
    const deps = await depsFor('tls/client.pem');
    const result = await check.run(runContext(), deps);
    expect(result.status).toBe('pass');
    expect(result.output?.certificate.facts.fingerprintSha256).toBe(deps['transport.certificate'].facts.fingerprintSha256);
  });

  it('fails with a certificate for another key', async () => {
    const deps = await depsFor('tls/other.pem');
    const result = await check.run(runContext(), deps);
    expect(result.status).toBe('fail');
    expect(result.code).toBe('key-certificate-mismatch');
    expect(result.message).toMatch(/^The transport key \(thumbprint [\w-]{43}\) does not belong to the transport certificate CN=someone else \(SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}\)\.$/);
    expect(result.hint).toMatch(/^Set transport\.privateKey to the key this certificate was issued for, or transport\.certificate/);
  });

  it('warns about a chain listed intermediate first, and presents the leaf first on TLS connections', async () => {
    const deps = await depsFor('tls/reversed.pem', 'tls/chained.key');
    const result = await check.run(runContext(), deps);
    expect(result.status).toBe('warn');
    expect(result.code).toBe('chain-order');
    expect(result.message).toBe(
      'tls/reversed.pem lists the transport certificate CN=chained transport, O=Example Ltd as certificate 2 of 2, after CN=Example Issuing CA, O=Example Ltd; golive uses it as the leaf, since the transport key belongs to it.',
    );
    expect(result.hint).toBe(
      'Put the leaf certificate first in tls/reversed.pem, then the intermediates, each followed by the one that issued it: many TLS stacks send the file as it is, the first certificate as the client certificate, and the handshake fails when the key does not belong to it.',
    );
    expect(result.evidence).toMatchObject({ file: 'tls/reversed.pem', leafPosition: 2, listed: ['CN=Example Issuing CA, O=Example Ltd', 'CN=chained transport, O=Example Ltd'] });

    const material = await tlsMaterialFor(resolvedConfig(dir, { transport: {} }), result.output);
    const presented = material.clientCertificate!.cert.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    expect(presented.map((pem) => new X509Certificate(pem).fingerprint256)).toEqual(
      [chained, intermediate].map((issued) => new X509Certificate(issued.certPem).fingerprint256),
    );
  });

  it('warns about a certificate listed twice, and presents it once', async () => {
    const deps = await depsFor('tls/twice.pem', 'tls/chained.key');
    const result = await check.run(runContext(), deps);
    expect(result.status).toBe('warn');
    expect(result.code).toBe('chain-order');
    expect(result.message).toBe(
      'tls/twice.pem lists CN=chained transport, O=Example Ltd more than once; golive sends each certificate once, the transport certificate CN=chained transport, O=Example Ltd first.',
    );
    expect(result.hint).toMatch(/^Keep one copy of each certificate in tls\/twice\.pem, the leaf first, then the intermediates, each followed by the one that issued it: /);
    expect(result.evidence).toMatchObject({ repeated: ['CN=chained transport, O=Example Ltd'], sent: ['CN=chained transport, O=Example Ltd', 'CN=Example Issuing CA, O=Example Ltd'] });
    expect(result.output?.certificate.chain).toHaveLength(1);
  });

  it.each([
    ['a PEM chain', 'tls/reversed.pem', 'tls/issuing-ca.key', undefined],
    ['a PKCS#12 bundle', undefined, 'tls/ca-key.p12', 'bundle-pw'],
  ])('fails for the issuing CA key with %s, naming the client certificate and the CA the key belongs to', async (_name, certificate, privateKey, passphrase) => {
    const result = await check.run(runContext(), await depsFor(certificate, privateKey, passphrase));
    expect(result.status).toBe('fail');
    expect(result.code).toBe('key-certificate-mismatch');
    expect(result.message).toMatch(
      /^The transport key \(thumbprint [\w-]{43}\) does not belong to the transport certificate CN=chained transport, O=Example Ltd \(SHA-256 [0-9A-F:]{95}\) but to the CA certificate CN=Example Issuing CA, O=Example Ltd listed with it\.$/,
    );
    expect(result.hint).toBe(
      "Set transport.privateKey to the key CN=chained transport, O=Example Ltd was issued for: a CA's key issues certificates and is never the transport key.",
    );
    expect(result.evidence).toMatchObject({ subject: 'CN=chained transport, O=Example Ltd', keyBelongsTo: 'CN=Example Issuing CA, O=Example Ltd' });
  });

  it("judges the key's own certificate when another end-entity certificate is listed first", async () => {
    const deps = await depsFor('tls/sibling-first.pem', 'tls/chained.key');
    expect(deps['transport.certificate'].facts.subject).toBe('CN=sibling transport, O=Example Ltd');
    const result = await check.run(runContext(), deps);
    expect(result.status).toBe('fail');
    expect(result.code).toBe('expired');
    expect(result.message).toMatch(/^tls\/sibling-first\.pem \(CN=lapsed transport, O=Example Ltd\) expired on \d{4}-\d{2}-\d{2}\.$/);
    expect(result.hint).toBe('Renew the certificate, register the new one in the portal and set transport.certificate to it.');
  });

  it('does not apply on TLS', async () => {
    const result = await check.run(runContext(), { 'transport.key': undefined, 'transport.certificate': undefined });
    expect(result).toMatchObject({ status: 'skip', notApplicable: true, message: 'not applicable: no transport key and certificate in this config' });
  });
});

describe('golive against the sandbox under reversed-chain (certificate files list the intermediate first, the leaf last)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ quiet: true, faults: ['reversed-chain'] });
  });
  afterAll(() => sandbox?.close());

  it('warns about the order of both certificate files, never a mismatch, and works over mTLS with the leaf sent first', async () => {
    const results = await runOnline(sandbox.configs['private_key_jwt-mtls']!, sandboxEnv(sandbox));
    for (const role of ['signing', 'transport'] as const) {
      const keypair = results[`${role}.keypair`]!;
      expect(keypair.status, keypair.message).toBe('warn');
      expect(keypair.code).toBe('chain-order');
      expect(keypair.message).toBe(
        `certs/${role}.pem lists the ${role} certificate CN=golive sandbox ${role}, O=Sandbox Demo Organisation as certificate 2 of 2, after CN=Thredd Sandbox Intermediate CA, O=golive sandbox; golive uses it as the leaf, since the ${role} key belongs to it.`,
      );
      expect(keypair.hint).toMatch(new RegExp(`^Put the leaf certificate first in certs/${role}\\.pem, then the intermediates`));
      expect(results[`${role}.certificate`]).toMatchObject({ status: 'pass', evidence: { issuer: 'CN=Thredd Sandbox Intermediate CA, O=golive sandbox', chainDepth: 2 } });
    }
    for (const id of ['network.token-endpoint', 'network.api-endpoint', 'jwks.signing-key', 'token.request', 'token.response', 'probe.call']) {
      expect(results[id]?.status, `${id}: ${results[id]?.message ?? ''}`).toBe('pass');
    }
    expect(results['network.token-endpoint']!.evidence).toMatchObject({ clientCertificate: true, clientCertificateRequested: true });
  });
});
