import { beforeAll, describe, expect, it } from 'vitest';
import keyCheck from '../../checks/signing.key.js';
import certificateCheck from '../../checks/signing.certificate.js';
import check from '../../checks/signing.keypair.js';
import type { LoadedCertificate, LoadedKey } from '../../src/credentials/types.js';
import { credentialsDir, issue, pkcs12Of, writeCredential } from '../support/credentials.js';
import { resolvedConfig, runContext } from '../support/resolved-config.js';

const dir = credentialsDir();

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
  for (const [name, content] of Object.entries(files)) writeCredential(dir, name, content);
});

/** Runs signing.key and signing.certificate as the runner would, for their outputs. */
async function depsFor(privateKey: string, certificate: string, algorithm: string) {
  const resolved = resolvedConfig(dir, { signing: { privateKey, certificate, algorithm, passphrase: 'pw' } });
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

  it('does not apply when the signing checks did not', async () => {
    const result = await check.run(runContext(), {
      'signing.key': undefined as LoadedKey | undefined,
      'signing.certificate': undefined as LoadedCertificate | undefined,
    });
    expect(result).toMatchObject({ status: 'skip', notApplicable: true, message: 'not applicable: no signing key and certificate in this config' });
  });
});
