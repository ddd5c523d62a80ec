import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCertificate } from '../../src/credentials/certificates.js';
import { loadPrivateKey } from '../../src/credentials/keys.js';
import { certificateKeyThumbprint, keyMatchesCertificate } from '../../src/credentials/match.js';
import type { LoadedCertificate, LoadedKey } from '../../src/credentials/types.js';
import { credentialsDir, issue, writeCredential } from '../support/credentials.js';

const dir = credentialsDir();
const loaded: Record<string, { key: LoadedKey; certificate: LoadedCertificate }> = {};

beforeAll(async () => {
  for (const [name, spec] of [
    ['rsa', { kind: 'rsa' }],
    ['ec', { kind: 'ec', curve: 'P-384' }],
  ] as const) {
    const issued = await issue({ key: spec });
    const key = await loadPrivateKey(writeCredential(dir, `${name}.key`, issued.keyPem));
    const certificate = await loadCertificate(writeCredential(dir, `${name}.pem`, issued.certPem));
    if (!key.ok || !certificate.ok) throw new Error('fixture did not load');
    loaded[name] = { key: key.value, certificate: certificate.value };
  }
});

describe('keyMatchesCertificate', () => {
  it.each(['rsa', 'ec'])('matches a %s key to its own certificate', (name) => {
    const { key, certificate } = loaded[name]!;
    expect(keyMatchesCertificate(key, certificate.certificate)).toBe(true);
    expect(certificateKeyThumbprint(certificate.certificate)).toBe(key.facts.thumbprint);
  });

  it('tells apart keys of the same and of another type', async () => {
    expect(keyMatchesCertificate(loaded.rsa!.key, loaded.ec!.certificate.certificate)).toBe(false);
    expect(keyMatchesCertificate(loaded.ec!.key, loaded.rsa!.certificate.certificate)).toBe(false);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const otherKey = await loadPrivateKey(writeCredential(dir, 'other.key', other.export({ type: 'pkcs8', format: 'pem' })));
    expect(otherKey.ok && keyMatchesCertificate(otherKey.value, loaded.ec!.certificate.certificate)).toBe(false);
  });
});
