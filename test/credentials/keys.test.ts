import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as fc from 'fast-check';
import { calculateJwkThumbprint } from 'jose';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCertificate } from '../../src/credentials/certificates.js';
import { loadPrivateKey } from '../../src/credentials/keys.js';
import { MAX_PKCS12_ITERATIONS } from '../../src/credentials/pkcs12.js';
import type { KeyFormat } from '../../src/credentials/types.js';
import { REPAIRS } from '../../src/credentials/pem.js';
import { credentialsDir, issue, issueSelfSigned, pemBody, pkcs12Of, pkcs12WithoutKey, writeCredential, type Issued } from '../support/credentials.js';

// FC_SEED=n runs the properties with that seed: a failure prints its seed, so it can be replayed.
if (process.env.FC_SEED) fc.configureGlobal({ seed: Number(process.env.FC_SEED) });

const dir = credentialsDir();
const PASSPHRASE = 'correct horse battery staple';
let rsa: Issued;
let rsaKey: KeyObject;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const ed = generateKeyPairSync('ed25519').privateKey;

beforeAll(async () => {
  rsa = await issue({ key: { kind: 'rsa' } });
  rsaKey = rsa.privateKey;
});

/** What OpenSSL itself says about a passphrase for an encrypted PEM key. */
function openSslCode(pem: string, passphrase: string): string {
  try {
    createPrivateKey({ key: pem, format: 'pem', passphrase });
    return 'loaded';
  } catch (error) {
    return String((error as NodeJS.ErrnoException).code);
  }
}

const load = (name: string, content: string | Buffer, passphrase?: string) =>
  loadPrivateKey(writeCredential(dir, name, content), passphrase, { displayName: name, section: 'signing' });

describe('loadPrivateKey reads every supported format', () => {
  const cases: [string, () => string | Buffer, KeyFormat, string, string | undefined][] = [
    ['pkcs8.pem', () => rsaKey.export({ type: 'pkcs8', format: 'pem' }), 'pkcs8-pem', 'rsa', undefined],
    ['pkcs1.pem', () => rsaKey.export({ type: 'pkcs1', format: 'pem' }), 'pkcs1-pem', 'rsa', undefined],
    ['sec1.pem', () => ec.export({ type: 'sec1', format: 'pem' }), 'sec1-pem', 'ec', undefined],
    ['ed25519.pem', () => ed.export({ type: 'pkcs8', format: 'pem' }), 'pkcs8-pem', 'ed25519', undefined],
    ['enc-pkcs8.pem', () => rsaKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }), 'encrypted-pkcs8-pem', 'rsa', PASSPHRASE],
    ['enc-pkcs1.pem', () => rsaKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }), 'encrypted-pkcs1-pem', 'rsa', PASSPHRASE],
    ['enc-sec1.pem', () => ec.export({ type: 'sec1', format: 'pem', cipher: 'aes-128-cbc', passphrase: PASSPHRASE }), 'encrypted-sec1-pem', 'ec', PASSPHRASE],
    ['pkcs8.der', () => rsaKey.export({ type: 'pkcs8', format: 'der' }), 'der', 'rsa', undefined],
    ['pkcs1.der', () => rsaKey.export({ type: 'pkcs1', format: 'der' }), 'der', 'rsa', undefined],
    ['sec1.der', () => ec.export({ type: 'sec1', format: 'der' }), 'der', 'ec', undefined],
    ['enc-pkcs8.der', () => ec.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }), 'der', 'ec', PASSPHRASE],
    ['bundle.p12', () => pkcs12Of(rsa, PASSPHRASE), 'pkcs12', 'rsa', PASSPHRASE],
    ['no-password.pfx', () => pkcs12Of(rsa, ''), 'pkcs12', 'rsa', undefined],
    ['bundle-without-extension', () => pkcs12Of(rsa, PASSPHRASE), 'pkcs12', 'rsa', PASSPHRASE],
  ];
  it.each(cases)('%s', async (name, content, format, type, passphrase) => {
    const result = await load(name, content(), passphrase);
    if (!result.ok) throw new Error(result.finding.message);
    const { facts, publicJwk } = result.value;
    expect(facts).toMatchObject({ format, type });
    expect(facts.repaired).toBeUndefined();
    if (type === 'rsa') expect(facts.bits).toBe(2048);
    if (type === 'ec') expect(facts.curve).toBe('P-256');
    expect(facts.thumbprint).toBe(await calculateJwkThumbprint(publicJwk as Parameters<typeof calculateJwkThumbprint>[0]));
  });

  it('gives the certificates of a PKCS#12 bundle, the key\'s own first', async () => {
    const ca = await issueSelfSigned({ subject: 'CN=Example Issuing CA', isCa: true });
    const result = await load('chain.p12', pkcs12Of(rsa, PASSPHRASE, [ca.certPem]), PASSPHRASE);
    expect(result.ok && result.value.bundledCertificates?.map((c) => c.fingerprint256)).toEqual([
      new X509Certificate(rsa.certPem).fingerprint256,
      new X509Certificate(ca.certPem).fingerprint256,
    ]);
  });

  it('describes an RSA-PSS key by its modulus', async () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
    const result = await load('pss.pem', pss.export({ type: 'pkcs8', format: 'pem' }));
    expect(result.ok && result.value.facts).toMatchObject({ type: 'rsa-pss', bits: 2048 });
    if (!result.ok) throw new Error(result.finding.message);
    expect(result.value.publicJwk).toMatchObject({ kty: 'RSA', e: 'AQAB' });
    expect(Buffer.from(result.value.publicJwk.n!, 'base64url')).toHaveLength(256);
    expect(result.value.facts.thumbprint).toBe(await calculateJwkThumbprint(result.value.publicJwk as Parameters<typeof calculateJwkThumbprint>[0]));
  });

  it('repairs a key pasted with literal \\n and reports it', async () => {
    const result = await load('pasted.pem', (rsaKey.export({ type: 'pkcs8', format: 'pem' }) as string).replace(/\n/g, '\\n'));
    expect(result.ok && result.value.facts.repaired).toEqual([REPAIRS.literalNewlines]);
    expect(result.ok && result.repaired).toEqual([REPAIRS.literalNewlines]);
  });
});

describe('loadPrivateKey explains each failure', () => {
  const encPkcs8 = () => rsaKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE });
  const encPkcs1 = () => rsaKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE });
  const encDer = () => rsaKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: PASSPHRASE });
  const pkcs8 = () => rsaKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const cases: [string, string, () => string | Buffer, string | undefined, RegExp, RegExp, Record<string, unknown>?][] = [
    ['empty file', 'empty.pem', () => '\n', undefined, /^empty\.pem is empty\.$/, /Copy the private key/, { problem: 'file-empty' }],
    ['certificate in the key file', 'cert-as-key.pem', () => rsa.certPem, undefined, /holds a certificate, not a private key/, /signing\.privateKey at the private key the certificate was issued for/, { problem: 'not-a-private-key', found: 'a certificate' }],
    ['DER certificate in the key file', 'cert-as-key.der', () => new X509Certificate(rsa.certPem).raw, undefined, /holds a certificate, not a private key/, /signing\.privateKey/, { problem: 'not-a-private-key', found: 'a certificate' }],
    ['public key', 'public.pem', () => createPublicKey(rsaKey).export({ type: 'spki', format: 'pem' }), undefined, /holds a public key, not a private key/, /signing\.privateKey/, { problem: 'not-a-private-key', found: 'a public key' }],
    ['DER public key', 'public.der', () => createPublicKey(rsaKey).export({ type: 'spki', format: 'der' }), undefined, /holds a public key/, /signing\.privateKey/, { problem: 'not-a-private-key', found: 'a public key' }],
    ['certificate request', 'request.pem', () => pkcs8().replace(/PRIVATE KEY/g, 'CERTIFICATE REQUEST'), undefined, /holds a certificate signing request, not a private key/, /signing\.privateKey/, { problem: 'not-a-private-key', found: 'a certificate signing request' }],
    ['OpenSSH key', 'id_rsa', () => '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n', undefined, /is an OpenSSH private key/, /ssh-keygen -p -m PKCS8 -f id_rsa/, { problem: 'key-unsupported', found: 'OPENSSH PRIVATE KEY' }],
    ['two keys', 'two.pem', () => pkcs8() + ec.export({ type: 'pkcs8', format: 'pem' }), undefined, /holds 2 private keys/, /Keep only the key/, { problem: 'multiple-keys', keys: 2 }],
    ['truncated PEM', 'truncated.pem', () => pkcs8().slice(0, 400), undefined, /^truncated\.pem is not valid PEM: the '-----BEGIN PRIVATE KEY-----' line has no matching END line/, /intact copy/, { problem: 'pem-malformed' }],
    ['encrypted PKCS#8 without passphrase', 'enc.pem', encPkcs8, undefined, /^enc\.pem is encrypted \(encrypted PKCS#8\) and signing\.passphrase is not set\.$/, /Set signing\.passphrase/, { problem: 'passphrase-missing' }],
    ['legacy encrypted PKCS#1 without passphrase', 'enc1.pem', encPkcs1, undefined, /is encrypted \(legacy encrypted PKCS#1 RSA\)/, /Set signing\.passphrase/, { problem: 'passphrase-missing' }],
    ['encrypted DER without passphrase', 'enc.der', encDer, undefined, /is encrypted \(encrypted PKCS#8 DER\)/, /Set signing\.passphrase/, { problem: 'passphrase-missing' }],
    ['empty passphrase counts as none', 'enc-empty.pem', encPkcs8, '', /signing\.passphrase is not set/, /Set signing\.passphrase/, { problem: 'passphrase-missing' }],
    // OpenSSL's own code varies with the garbage a wrong passphrase decrypts to: the finding's problem does not.
    ['encrypted PKCS#8, wrong passphrase', 'enc-wrong.pem', encPkcs8, 'wrong', /^The passphrase in signing\.passphrase does not decrypt enc-wrong\.pem \(encrypted PKCS#8\)\.$/, /passphrase the key was encrypted with/, { problem: 'passphrase-wrong' }],
    ['legacy PKCS#1, wrong passphrase', 'enc1-wrong.pem', encPkcs1, 'wrong', /^The passphrase in signing\.passphrase does not decrypt enc1-wrong\.pem \(legacy encrypted PKCS#1 RSA\)\.$/, /signing\.passphrase/, { problem: 'passphrase-wrong' }],
    ['encrypted DER, wrong passphrase', 'enc-wrong.der', encDer, 'wrong', /^The passphrase in signing\.passphrase does not decrypt enc-wrong\.der \(encrypted PKCS#8 DER\)\.$/, /signing\.passphrase/, { problem: 'passphrase-wrong' }],
    ['PKCS#12 without password', 'locked.p12', () => pkcs12Of(rsa, PASSPHRASE), undefined, /^locked\.p12 is a password-protected PKCS#12 bundle and signing\.passphrase is not set\.$/, /export password/, { problem: 'pkcs12-password-missing' }],
    ['PKCS#12 with a wrong password', 'wrong.p12', () => pkcs12Of(rsa, PASSPHRASE), 'wrong', /^The password in signing\.passphrase does not open the PKCS#12 bundle wrong\.p12\.$/, /export password of wrong\.p12/, { problem: 'pkcs12-password-wrong' }],
    ['PKCS#12 without a key', 'certs-only.p12', () => pkcs12WithoutKey(rsa, PASSPHRASE), PASSPHRASE, /holds 1 certificate\(s\) but no private key/, /including the private key/, { problem: 'pkcs12-no-key' }],
    ['corrupt PKCS#12', 'corrupt.p12', () => Buffer.from('30030201', 'hex'), undefined, /could not be read as a PKCS#12 bundle/, /Export the bundle again/, { problem: 'pkcs12-corrupt' }],
    ['base64 without armour', 'bare.txt', () => pemBody(pkcs8()), undefined, /holds base64 text without the -----BEGIN and -----END lines/, /-----BEGIN PRIVATE KEY-----/, { problem: 'unrecognised-format' }],
    ['random text', 'notes.txt', () => 'hello: world\n', undefined, /is neither PEM \(it has no -----BEGIN line\) nor DER/, /PEM, DER or PKCS#12/, { problem: 'unrecognised-format' }],
    ['DER that is no key', 'seq.der', () => Buffer.from('3003020101', 'hex'), undefined, /is DER but not a private key/, /signing\.privateKey/, { problem: 'key-corrupt' }],
    ['unsupported curve', 'brainpool.pem', () => generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), undefined, /^brainpool\.pem holds an EC brainpoolP256r1 key, which golive cannot use: it reads EC keys on the curves JOSE signs with only \(P-256, P-384, P-521 and secp256k1\)\.$/, /^Use an RSA key of 2048 bits or more or an EC P-256 key: generate one \(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048\), have its certificate issued and set signing\.privateKey to it\.$/, { problem: 'key-unsupported', type: 'ec', curve: 'brainpoolP256r1', format: 'pkcs8-pem' }],
    ['DSA key', 'dsa.pem', () => generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).privateKey.export({ type: 'pkcs8', format: 'pem' }), undefined, /^dsa\.pem holds a 2048-bit DSA key, which golive cannot use: JOSE defines no DSA algorithm for client assertions, and TLS 1\.3 has no DSA signatures for client certificates\.$/, /^Use an RSA key of 2048 bits or more or an EC P-256 key/, { problem: 'key-unsupported', type: 'dsa', bits: 2048, format: 'pkcs8-pem' }],
    ['X25519 key', 'x25519.pem', () => generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), undefined, /^x25519\.pem holds an X25519 key, which golive cannot use: it is a key-agreement key and cannot sign\.$/, /set signing\.privateKey to it\.$/, { problem: 'key-unsupported', type: 'x25519', format: 'pkcs8-pem' }],
  ];
  it.each(cases)('%s', async (_name, file, content, passphrase, message, hint, evidence) => {
    const result = await load(file, content(), passphrase);
    if (result.ok) throw new Error('loaded');
    expect(result.finding.message).toMatch(message);
    expect(result.finding.hint).toMatch(hint);
    if (evidence) expect({ problem: result.finding.problem, ...result.finding.evidence }).toMatchObject(evidence);
    expect(JSON.stringify(result.finding)).not.toContain(PASSPHRASE);
    expect(JSON.stringify(result.finding)).not.toContain(pemBody(pkcs8()).slice(100, 140));
  });

  it('calls every wrong passphrase wrong, also the one in ~256 whose decryption passes the padding check', async () => {
    // PKCS#5 padding checks only the last block: a wrong passphrase sometimes
    // "decrypts" to garbage instead of failing with BAD_DECRYPT.
    const der = encDer();
    const problems = new Set<string>();
    for (let attempt = 0; attempt < 600; attempt++) {
      const result = await load(`enc-try-${attempt % 4}.der`, der, `wrong-${attempt}`);
      if (result.ok) throw new Error('loaded with a wrong passphrase');
      problems.add(result.finding.problem);
    }
    expect([...problems]).toEqual(['passphrase-wrong']);
  });

  it.each([
    ['encrypted PKCS#8', 'garbage-pkcs8.pem', encPkcs8],
    ['legacy encrypted PKCS#1 RSA', 'garbage-pkcs1.pem', encPkcs1],
    ['legacy encrypted SEC1 EC', 'garbage-sec1.pem', () => ec.export({ type: 'sec1', format: 'pem', cipher: 'aes-128-cbc', passphrase: PASSPHRASE })],
  ])('calls a wrong passphrase that decrypts %s to garbage (not BAD_DECRYPT) wrong too', async (describe, file, content) => {
    const pem = content() as string;
    // About one wrong passphrase in 256 passes the padding check: find one, so every run tests that case.
    const garbage = Array.from({ length: 5000 }, (_, i) => `wrong-${i}`).find((passphrase) => openSslCode(pem, passphrase) !== 'ERR_OSSL_BAD_DECRYPT');
    expect(garbage).toBeDefined();
    const result = await load(file, pem, garbage);
    expect(!result.ok && result.finding).toMatchObject({
      problem: 'passphrase-wrong',
      message: `The passphrase in signing.passphrase does not decrypt ${file} (${describe}).`,
    });
  });

  it('says when the file is missing or a folder', async () => {
    const missing = await loadPrivateKey(path.join(dir, 'nope.pem'), undefined, { displayName: 'certs/nope.pem', section: 'transport' });
    expect(!missing.ok && missing.finding).toMatchObject({ message: 'certs/nope.pem does not exist.', evidence: { code: 'ENOENT' } });
    expect(!missing.ok && missing.finding.hint).toMatch(/Check transport\.privateKey/);
    mkdirSync(path.join(dir, 'folder.pem'));
    const folder = await loadPrivateKey(path.join(dir, 'folder.pem'));
    expect(!folder.ok && folder.finding.message).toBe('folder.pem is a folder, not a file.');
  });
});

describe('loadPrivateKey never throws', () => {
  it('returns a finding for random bytes and mangled PEM', async () => {
    const pem = rsaKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const mangled = fc
      .array(fc.tuple(fc.nat(pem.length), fc.nat(8), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 4 })
      .map((edits) => edits.reduce((text, [at, cut, insert]) => text.slice(0, at) + insert + text.slice(at + cut), pem));
    const content = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)), mangled);
    const name = fc.constantFrom('key.pem', 'key.der', 'key.p12');
    await fc.assert(
      fc.asyncProperty(content, name, fc.option(fc.constantFrom('pw', PASSPHRASE), { nil: undefined }), async (bytes, file, passphrase) => {
        const result = await load(`fuzz/${file}`, bytes, passphrase);
        if (!result.ok) {
          expect(result.finding.message.length).toBeGreaterThan(0);
          expect(result.finding.hint.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('PKCS#12 iteration counts', () => {
  const iterDir = path.join(dir, 'iter');
  const bundle = (name: string) => path.join(iterDir, name);

  /** A bundle made by the openssl CLI, as users make theirs; `args` choose the counts and algorithms. */
  function openssl(name: string, args: string[]): void {
    const out = bundle(name);
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', bundle('key.pem'), '-in', bundle('cert.pem'), '-passout', `pass:${PASSPHRASE}`, '-out', out, ...args], { stdio: 'pipe' });
  }

  /** node-forge uses one count for the MAC and the key encryption. */
  function forgeBundle(name: string, count: number): void {
    const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(rsa.keyPem), [forge.pki.certificateFromPem(rsa.certPem)], PASSPHRASE, { algorithm: '3des', count });
    writeCredential(iterDir, name, Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
  }

  beforeAll(() => {
    writeCredential(iterDir, 'key.pem', rsa.keyPem);
    writeCredential(iterDir, 'cert.pem', rsa.certPem);
    openssl('million.p12', ['-iter', '1000000']);
    openssl('mac-only.p12', ['-iter', '200000', '-keypbe', 'NONE', '-certpbe', 'NONE']);
    openssl('key-only.p12', ['-iter', '200000', '-nomaciter', '-certpbe', 'NONE']);
    openssl('certificates-only.p12', ['-iter', '200000', '-nomaciter', '-keypbe', 'NONE']);
    openssl('legacy-3des.p12', ['-iter', '200000', '-nomaciter', '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES']);
    openssl('no-mac.p12', ['-nomac', '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES']);
    forgeBundle('at-limit.p12', MAX_PKCS12_ITERATIONS);
    forgeBundle('over-limit.p12', MAX_PKCS12_ITERATIONS + 1);
  });

  it.each([
    ['million.p12', 'MAC, certificate encryption and private key encryption use 1000000'],
    ['mac-only.p12', 'MAC uses 200000'],
    ['key-only.p12', 'private key encryption uses 200000'],
    ['certificates-only.p12', 'certificate encryption uses 200000'],
    ['legacy-3des.p12', 'certificate encryption and private key encryption use 200000'],
    ['over-limit.p12', 'MAC and private key encryption use 100001'],
  ])('%s is refused before any key is derived', async (name, what) => {
    const started = performance.now();
    const result = await loadPrivateKey(bundle(name), PASSPHRASE, { displayName: name, section: 'transport' });
    const certificate = await loadCertificate(bundle(name), { displayName: name, section: 'transport', passphrase: PASSPHRASE });
    const elapsed = performance.now() - started;
    for (const loaded of [result, certificate]) {
      if (loaded.ok) throw new Error('loaded');
      expect(loaded.finding).toMatchObject({
        problem: 'pkcs12-iterations',
        message: `${name} is a PKCS#12 bundle whose ${what} password iterations; golive opens bundles of at most 100000 (OpenSSL exports with 2048), as deriving this one's keys would take it many seconds.`,
        evidence: { limit: 100000 },
      });
      expect(loaded.finding.hint).toContain(`openssl pkcs12 -export -inkey key.pem -in cert.pem -out ${name} -iter 2048`);
      expect(loaded.finding.hint).toContain('transport.privateKey and transport.certificate');
    }
    // Deriving 1,000,000 iterations in node-forge took 31 s; the bound allows a loaded machine, not that.
    expect(elapsed).toBeLessThan(5000);
  });

  it('opens a bundle of exactly the limit', async () => {
    const result = await loadPrivateKey(bundle('at-limit.p12'), PASSPHRASE);
    if (!result.ok) throw new Error(result.finding.message);
    expect(result.value.facts.thumbprint).toBe(await calculateJwkThumbprint(rsa.privateKey.export({ format: 'jwk' }) as Parameters<typeof calculateJwkThumbprint>[0]));
  });

  it('calls a wrong password wrong for a bundle without a MAC, whatever the garbage breaks in node-forge', async () => {
    // Without a MAC nothing checks the password first: decryption yields garbage.
    for (let attempt = 0; attempt < 20; attempt++) {
      const result = await loadPrivateKey(bundle('no-mac.p12'), `wrong-${attempt}`, { displayName: 'no-mac.p12', section: 'signing' });
      expect(!result.ok && result.finding).toMatchObject({
        problem: 'pkcs12-password-wrong',
        message: 'The password in signing.passphrase does not open the PKCS#12 bundle no-mac.p12.',
      });
    }
    const missing = await loadPrivateKey(bundle('no-mac.p12'), undefined, { displayName: 'no-mac.p12', section: 'signing' });
    expect(!missing.ok && missing.finding.problem).toBe('pkcs12-password-missing');
    expect((await loadPrivateKey(bundle('no-mac.p12'), PASSPHRASE)).ok).toBe(true);
  });
});
