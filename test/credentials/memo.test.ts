import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadCertificate } from '../../src/credentials/certificates.js';
import { loadPrivateKey } from '../../src/credentials/keys.js';
import { CredentialMemo } from '../../src/credentials/memo.js';
import { credentialsDir, issue, writeCredential } from '../support/credentials.js';

// What the run's memo shares between configs, and what stays each config's own.

const dir = credentialsDir('golive-memo-');

describe('CredentialMemo', () => {
  it('hands configs that load the same bytes, from one file or from copies, the one key and certificate parsed', async () => {
    const issued = await issue();
    const keys = ['a/signing.key', 'b/signing.key'].map((name) => writeCredential(dir, name, issued.keyPem));
    const certificates = ['a/signing.pem', 'b/signing.pem'].map((name) => writeCredential(dir, name, issued.certPem));
    const memo = new CredentialMemo();
    const options = { displayName: 'signing.key', section: 'signing', memo };
    const [first, again, copy] = await Promise.all([keys[0]!, keys[0]!, keys[1]!].map((file) => loadPrivateKey(file, undefined, options)));
    expect(first!.ok).toBe(true);
    expect(again).toBe(first);
    expect(copy).toBe(first);
    const [certificate, copied] = await Promise.all(certificates.map((file) => loadCertificate(file, { displayName: 'signing.pem', section: 'signing', memo })));
    expect(copied).toBe(certificate);
    // Without a memo each load parses its file.
    expect(await loadPrivateKey(keys[0]!, undefined, { displayName: 'signing.key', section: 'signing' })).not.toBe(first);
  });

  it('keeps apart what a finding names (file, section) and the passphrase: each config gets findings about its own file', async () => {
    const broken = writeCredential(dir, 'broken.key', '-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n');
    const memo = new CredentialMemo();
    const signing = await loadPrivateKey(broken, undefined, { displayName: 'certs/broken.key', section: 'signing', memo });
    const transport = await loadPrivateKey(broken, undefined, { displayName: 'other/broken.key', section: 'transport', memo });
    expect(signing.ok || signing.finding.message).toMatch(/^certs\/broken\.key is not valid PEM/);
    expect(transport.ok || transport.finding.message).toMatch(/^other\/broken\.key is not valid PEM/);

    const issued = await issue();
    const encrypted = createPrivateKey(issued.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right horse' }) as string;
    const file = writeCredential(dir, 'encrypted.key', encrypted);
    const options = { displayName: 'encrypted.key', section: 'signing', memo };
    const [right, wrong, none] = await Promise.all([
      loadPrivateKey(file, 'right horse', options),
      loadPrivateKey(file, 'wrong horse', options),
      loadPrivateKey(file, undefined, options),
    ]);
    expect(right.ok).toBe(true);
    expect(wrong.ok || wrong.finding.problem).toBe('passphrase-wrong');
    expect(none.ok || none.finding.problem).toBe('passphrase-missing');
  });

  it('freezes what it shares, so no config can change another one’s key', async () => {
    const issued = await issue();
    const file = writeCredential(dir, 'frozen.key', issued.keyPem);
    const loaded = await loadPrivateKey(file, undefined, { memo: new CredentialMemo() });
    if (!loaded.ok) throw new Error(loaded.finding.message);
    expect(() => {
      (loaded.value.facts as { bits?: number }).bits = 1024;
    }).toThrow(TypeError);
    expect(Object.isFrozen(loaded.value)).toBe(true);
  });
});
