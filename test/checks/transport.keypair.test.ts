import { beforeAll, describe, expect, it } from 'vitest';
import keyCheck from '../../checks/transport.key.js';
import certificateCheck from '../../checks/transport.certificate.js';
import check from '../../checks/transport.keypair.js';
import { credentialsDir, issue, writeCredential } from '../support/credentials.js';
import { resolvedConfig, runContext } from '../support/resolved-config.js';

const dir = credentialsDir();

beforeAll(async () => {
  const mine = await issue({ key: { kind: 'ec', curve: 'P-384' }, extKeyUsage: ['clientAuth'] });
  const theirs = await issue({ key: { kind: 'ec' }, subject: 'CN=someone else', extKeyUsage: ['clientAuth'] });
  writeCredential(dir, 'tls/client.key', mine.privateKey.export({ type: 'sec1', format: 'pem' }));
  writeCredential(dir, 'tls/client.pem', mine.certPem);
  writeCredential(dir, 'tls/other.pem', theirs.certPem);
});

async function depsFor(certificate: string) {
  const resolved = resolvedConfig(dir, { transport: { privateKey: 'tls/client.key', certificate } });
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

  it('does not apply on TLS', async () => {
    const result = await check.run(runContext(), { 'transport.key': undefined, 'transport.certificate': undefined });
    expect(result).toMatchObject({ status: 'skip', notApplicable: true, message: 'not applicable: no transport key and certificate in this config' });
  });
});
