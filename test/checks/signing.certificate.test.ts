import { X509Certificate, createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/signing.certificate.js';
import { createCa } from '../../src/sandbox/pki.js';
import { credentialsDir, issue, pkcs12Of, writeCredential, type Issued } from '../support/credentials.js';
import { resolvedConfig, runContext, type ResolvedOverrides } from '../support/resolved-config.js';

const dir = credentialsDir();
const DAY_MS = 86_400_000;
const notBefore = new Date('2026-01-01T00:00:00Z');
const notAfter = new Date('2027-01-01T00:00:00Z');
const midway = Date.parse('2026-06-01T00:00:00Z');
let good: Issued;

beforeAll(async () => {
  good = await issue({ key: { kind: 'rsa' }, notBefore, notAfter, keyUsage: ['digitalSignature'] });
  const sandboxCa = await createCa('CN=Thredd Sandbox Issuing CA, O=Thredd');
  const fromSandbox = await issue({ issuer: sandboxCa, notBefore, notAfter });
  const noUsage = await issue({ keys: good.keys, notBefore, notAfter, keyUsage: [] });
  const encipherOnly = await issue({ keys: good.keys, notBefore, notAfter, keyUsage: ['keyEncipherment'] });
  const files: Record<string, string | Buffer> = {
    'certs/signing.pem': good.certPem,
    'certs/signing.der': new X509Certificate(good.certPem).raw,
    'certs/signing.key': good.keyPem,
    'certs/sandbox.pem': fromSandbox.certPem + sandboxCa.certPem,
    'certs/no-usage.pem': noUsage.certPem,
    'certs/encipher.pem': encipherOnly.certPem,
    'certs/bundle.p12': pkcs12Of(good, 'pw'),
    'certs/pasted.pem': good.certPem.replace(/\n/g, '\\n'),
  };
  for (const [name, content] of Object.entries(files)) writeCredential(dir, name, content);
});

const signing = (certificate: string | undefined, extra: ResolvedOverrides['signing'] = {}): ResolvedOverrides => ({
  signing: { privateKey: 'certs/signing.key', ...(certificate ? { certificate } : {}), ...extra },
});

interface Scenario {
  name: string;
  config: ResolvedOverrides;
  now?: number;
  status: string;
  /** The finding's code: set for every warn and fail. */
  code?: string;
  message?: RegExp;
  hint?: RegExp;
  evidence?: Record<string, unknown>;
}

const scenarios: Scenario[] = [
  {
    name: 'a valid certificate',
    config: signing('certs/signing.pem'),
    status: 'pass',
    evidence: {
      file: 'certs/signing.pem',
      subject: 'CN=golive test client, O=Example Ltd, C=GB',
      notBefore: '2026-01-01T00:00:00.000Z',
      notAfter: '2027-01-01T00:00:00.000Z',
      keyUsage: ['digitalSignature'],
      chainDepth: 1,
      selfSigned: true,
    },
  },
  { name: 'a DER certificate', config: signing('certs/signing.der'), status: 'pass' },
  { name: 'no keyUsage extension (any usage)', config: signing('certs/no-usage.pem'), status: 'pass' },
  { name: 'the certificate of a PKCS#12 key bundle', config: signing(undefined, { privateKey: 'certs/bundle.p12', passphrase: 'pw' }), status: 'pass', evidence: { file: 'certs/bundle.p12' } },
  { name: 'a sandbox CA in UAT', config: signing('certs/sandbox.pem'), status: 'pass', evidence: { issuer: 'CN=Thredd Sandbox Issuing CA, O=Thredd', chainDepth: 2 } },
  { name: 'a secret client', config: { authMethod: 'client_secret_basic' }, status: 'skip', message: /^not applicable: client_secret_basic clients do not sign$/ },
  { name: 'private_key_jwt without a signing section', config: {}, status: 'fail', code: 'no-section', message: /^The config has no signing section, but private_key_jwt clients sign their assertions\.$/, hint: /^Add signing\.privateKey and signing\.certificate to the config\.$/ },
  { name: 'a certificate not yet valid', config: signing('certs/signing.pem'), now: Date.parse('2025-12-01T00:00:00Z'), status: 'fail', code: 'not-yet-valid', message: /^certs\/signing\.pem \(CN=golive test client.*\) is not valid until 2026-01-01T00:00:00\.000Z; it is now 2025-12-01T00:00:00\.000Z\.$/, hint: /clock/ },
  { name: 'an expired certificate', config: signing('certs/signing.pem'), now: Date.parse('2027-02-01T00:00:00Z'), status: 'fail', code: 'expired', message: /^certs\/signing\.pem \(CN=golive test client.*\) expired on 2027-01-01\.$/, hint: /Renew the certificate.*signing\.certificate/ },
  { name: 'a certificate expiring in 12 days', config: signing('certs/signing.pem'), now: notAfter.getTime() - 12.5 * DAY_MS, status: 'warn', code: 'expires-soon', message: /expires in 12 days, on 2027-01-01\.$/, hint: /before 2027-01-01/, evidence: { daysLeft: 12, expiryWarningDays: 60 } },
  { name: 'expiryWarningDays from the config', config: { ...signing('certs/signing.pem'), expiryWarningDays: 365 }, status: 'warn', code: 'expires-soon', message: /expires in 214 days/ },
  { name: 'keyUsage without digitalSignature', config: signing('certs/encipher.pem'), status: 'fail', code: 'no-digital-signature', message: /^certs\/encipher\.pem has key usage keyEncipherment without digitalSignature, so it cannot sign client assertions\.$/, hint: /digitalSignature key usage/ },
  { name: 'a sandbox CA in Production', config: { ...signing('certs/sandbox.pem'), environment: 'production' }, status: 'fail', code: 'sandbox-issuer-in-production', message: /^certs\/sandbox\.pem was issued by CN=Thredd Sandbox Issuing CA, O=Thredd, a sandbox or test CA, but this is a Production config\.$/, hint: /Production certificate/ },
  { name: 'no certificate beside a PEM key', config: signing(undefined), status: 'fail', code: 'pkcs12-no-certificate', message: /^signing\.certificate is not set and certs\/signing\.key is not a PKCS#12 bundle/, hint: /Set signing\.certificate/ },
  { name: 'a bundle with a wrong password', config: signing(undefined, { privateKey: 'certs/bundle.p12', passphrase: 'nope' }), status: 'fail', code: 'pkcs12-password-wrong', message: /does not open the PKCS#12 bundle certs\/bundle\.p12/ },
  { name: 'a missing file', config: signing('certs/missing.pem'), status: 'fail', code: 'file-unreadable', message: /^certs\/missing\.pem does not exist\.$/, hint: /signing\.certificate/ },
  { name: 'the key in the certificate file', config: signing('certs/signing.key'), status: 'fail', code: 'not-a-certificate', message: /^certs\/signing\.key holds a private key, not a certificate\.$/, hint: /signing\.certificate at the certificate/ },
  { name: 'a certificate pasted with literal \\n', config: signing('certs/pasted.pem'), status: 'warn', code: 'repaired-pem', message: /not clean PEM .*literal \\n/, hint: /plain PEM/ },
];

describe('signing.certificate', () => {
  it.each(scenarios)('$name', async ({ config, now = midway, status, code, message, hint, evidence }) => {
    const result = await check.run(runContext(now), { 'config.references': resolvedConfig(dir, config) });
    expect(result.status, result.message).toBe(status);
    expect(result.code).toBe(code);
    if (message) expect(result.message).toMatch(message);
    if (hint) expect(result.hint).toMatch(hint);
    if (evidence) expect(result.evidence).toMatchObject(evidence);
    if (status === 'pass' || status === 'warn') {
      expect(result.evidence?.fingerprintSha256).toBe(result.output?.facts.fingerprintSha256);
      expect(result.evidence?.x5tS256).toMatch(/^[\w-]{43}$/);
    }
  });
});

describe('signing.certificate evidence', () => {
  it('carries the fingerprints openssl and a JWKS would show for the file', async () => {
    const result = await check.run(runContext(midway), { 'config.references': resolvedConfig(dir, signing('certs/signing.pem')) });
    const x509 = new X509Certificate(good.certPem);
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({
      fingerprintSha256: x509.fingerprint256,
      x5tS256: createHash('sha256').update(x509.raw).digest('base64url'),
      serialNumber: x509.serialNumber,
      keyUsage: ['digitalSignature'],
    });
  });
});
