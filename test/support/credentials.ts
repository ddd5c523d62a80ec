import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { afterAll } from 'vitest';
import { createCa, issueCertificate, type IssueOptions, type Issued } from '../../src/sandbox/pki.js';

export type { Issued } from '../../src/sandbox/pki.js';

const DAY_MS = 86_400_000;

/** A temporary folder removed after the test file. */
export function credentialsDir(prefix = 'golive-credentials-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a file under `dir` (creating folders) with owner-only permissions; returns its absolute path. */
export function writeCredential(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

/** The CA `issue` issues from: a private CA, as a platform's is (self-signed client certificates are a finding). */
let testCa: Promise<Issued> | undefined;
export function testClientCa(): Promise<Issued> {
  // RSA: node-forge, which writes the PKCS#12 test bundles, reads RSA signatures only.
  testCa ??= createCa('CN=Example Client Issuing CA, O=Example Ltd, C=GB', { kind: 'rsa' });
  return testCa;
}

const TEST_SUBJECT = 'CN=golive test client, O=Example Ltd, C=GB';

/** A certificate for a fresh key from the test CA (or `issuer`), valid from yesterday for a year unless told otherwise. */
export async function issue(options: Partial<IssueOptions> = {}): Promise<Issued> {
  return issueCertificate({ subject: TEST_SUBJECT, issuer: await testClientCa(), ...options });
}

/** A self-signed certificate for a fresh key (or `keys`). */
export function issueSelfSigned(options: Partial<Omit<IssueOptions, 'issuer'>> = {}): Promise<Issued> {
  return issueCertificate({ subject: TEST_SUBJECT, ...options });
}

export function daysFromNow(days: number): Date {
  return new Date(Date.now() + days * DAY_MS);
}

/** An RSA key and certificate(s) as a PKCS#12 bundle (node-forge supports RSA only). */
export function pkcs12Of(issued: Issued, password: string | null, extraCertificates: string[] = []): Buffer {
  const key = forge.pki.privateKeyFromPem(issued.keyPem);
  const certificates = [issued.certPem, ...extraCertificates].map((pem) => forge.pki.certificateFromPem(pem));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certificates, password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** A PKCS#12 bundle holding certificates only. */
export function pkcs12WithoutKey(issued: Issued, password: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(null, [forge.pki.certificateFromPem(issued.certPem)], password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** The PEM body of a key or certificate without line breaks. */
export function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('-----'))
    .join('');
}
