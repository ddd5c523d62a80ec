import { X509Certificate, createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/signing.certificate.js';
import { PUBLIC_ROOT_SUBJECT } from '../../src/sandbox/faults.js';
import { createCa } from '../../src/sandbox/pki.js';
import { credentialsDir, issue, issueSelfSigned, pkcs12Of, testClientCa, writeCredential, type Issued } from '../support/credentials.js';
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
  const selfSigned = await issueSelfSigned({ keys: good.keys, notBefore, notAfter, keyUsage: ['digitalSignature'] });
  // A CA named as a root of Node's public root store is (its key is not the root's: golive judges names).
  const publicRoot = await createCa(PUBLIC_ROOT_SUBJECT);
  const fromPublicRoot = await issue({ issuer: publicRoot, keys: good.keys, notBefore, notAfter });
  const publicIntermediate = await createCa('CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc, C=US');
  const fromPublicIntermediate = await issue({ issuer: publicIntermediate, keys: good.keys, notBefore, notAfter });
  const reseller = await issue({ subject: 'CN=Example Reseller CA, O=Example Reseller Ltd', issuer: publicRoot, isCa: true, key: { kind: 'ec' } });
  const fromReseller = await issue({ issuer: reseller, keys: good.keys, notBefore, notAfter });
  const longLived = await issue({ keys: good.keys, notBefore, notAfter: new Date(notBefore.getTime() + 825 * DAY_MS) });
  const selfSignedLongLived = await issueSelfSigned({ keys: good.keys, notBefore, notAfter: new Date(notBefore.getTime() + 825 * DAY_MS) });
  const files: Record<string, string | Buffer> = {
    'certs/signing.pem': good.certPem,
    'certs/signing.der': new X509Certificate(good.certPem).raw,
    'certs/signing.key': good.keyPem,
    'certs/sandbox.pem': fromSandbox.certPem + sandboxCa.certPem,
    'certs/no-usage.pem': noUsage.certPem,
    'certs/encipher.pem': encipherOnly.certPem,
    'certs/bundle.p12': pkcs12Of(good, 'pw'),
    'certs/pasted.pem': good.certPem.replace(/\n/g, '\\n'),
    'certs/self-signed.pem': selfSigned.certPem,
    'certs/public-root.pem': fromPublicRoot.certPem,
    'certs/public-intermediate.pem': fromPublicIntermediate.certPem,
    'certs/reseller.pem': fromReseller.certPem + reseller.certPem,
    'certs/long-lived.pem': longLived.certPem,
    'certs/self-signed-long-lived.pem': selfSignedLongLived.certPem,
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
      issuer: 'CN=Example Client Issuing CA, O=Example Ltd, C=GB',
      keyUsage: ['digitalSignature'],
      chainDepth: 1,
      selfSigned: false,
      issuerKind: 'other',
      lifetimeDays: 365,
    },
    message: /^CN=golive test client, O=Example Ltd, C=GB, issued by CN=Example Client Issuing CA, O=Example Ltd, C=GB, valid until 2027-01-01 \(214 days\)\.$/,
  },
  { name: 'a DER certificate', config: signing('certs/signing.der'), status: 'pass' },
  { name: 'no keyUsage extension (any usage)', config: signing('certs/no-usage.pem'), status: 'pass' },
  { name: 'the certificate of a PKCS#12 key bundle', config: signing(undefined, { privateKey: 'certs/bundle.p12', passphrase: 'pw' }), status: 'pass', evidence: { file: 'certs/bundle.p12' } },
  {
    name: 'a sandbox CA in UAT',
    config: signing('certs/sandbox.pem'),
    status: 'pass',
    evidence: { issuer: 'CN=Thredd Sandbox Issuing CA, O=Thredd', chainDepth: 2, issuerKind: 'thredd' },
    message: /issued by CN=Thredd Sandbox Issuing CA, O=Thredd \(a Thredd CA golive knows\)/,
  },
  {
    name: 'a self-signed certificate in UAT',
    config: signing('certs/self-signed.pem'),
    status: 'warn',
    code: 'self-signed',
    message: /^certs\/self-signed\.pem \(CN=golive test client, O=Example Ltd, C=GB\) is self-signed: it is its own issuer\. Thredd's rule: client certificates come from Thredd's CA, and \"self-signed or third-party certificates may result in Thredd refusing connections\"\.$/,
    hint: /^Request the signing certificate in Thredd Portal: create a certificate signing request \(CSR\) for the signing key, submit it there, and set signing\.certificate to the certificate Thredd's CA issues \(valid 350 days\)\.$/,
    evidence: { selfSigned: true, issuerKind: 'self-signed' },
  },
  { name: 'a self-signed certificate in Production', config: { ...signing('certs/self-signed.pem'), environment: 'production' }, status: 'fail', code: 'self-signed', message: /is self-signed: it is its own issuer\. Thredd's rule/, hint: /Thredd Portal/ },
  {
    name: 'a certificate from a public root CA in UAT',
    config: signing('certs/public-root.pem'),
    status: 'warn',
    code: 'third-party-issuer',
    message: /^certs\/public-root\.pem \(CN=golive test client, O=Example Ltd, C=GB\) was issued by C=US, O=DigiCert Inc, OU=www\.digicert\.com, CN=DigiCert Global Root G2, a third-party CA \(DigiCert Global Root G2 is a root of Node's public root store\), not by Thredd's CA\. Thredd's rule: client certificates come from Thredd's CA, and \"self-signed or third-party certificates may result in Thredd refusing connections\"\.$/,
    hint: /^Request the signing certificate in Thredd Portal: .* If this CA is Thredd's for your deployment, add its name to thredd\.issuers in the config\.$/,
    evidence: { issuerKind: 'public-ca', publicRoot: 'DigiCert Global Root G2' },
  },
  { name: 'a certificate from a public root CA in Production', config: { ...signing('certs/public-root.pem'), environment: 'production' }, status: 'fail', code: 'third-party-issuer', message: /a third-party CA/ },
  {
    name: "a certificate from a public CA's intermediate, placed by its organisation",
    config: signing('certs/public-intermediate.pem'),
    status: 'warn',
    code: 'third-party-issuer',
    message: /was issued by CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc, C=US, a third-party CA \(DigiCert Inc, whose root DigiCert [^)]+ is in Node's public root store\), not by Thredd's CA\./,
    evidence: { issuerKind: 'public-ca' },
  },
  {
    name: 'a chain in the file that reaches a public root',
    config: signing('certs/reseller.pem'),
    status: 'warn',
    code: 'third-party-issuer',
    message: /was issued by CN=Example Reseller CA, O=Example Reseller Ltd, a third-party CA \(the chain in the file reaches DigiCert Global Root G2, a root of Node's public root store\)/,
  },
  {
    name: 'a public CA the config names in thredd.issuers',
    config: { ...signing('certs/public-root.pem'), environment: 'production', thredd: { issuers: ['digicert global root g2'] } },
    status: 'pass',
    evidence: { issuerKind: 'thredd' },
    message: /\(a Thredd CA golive knows\)/,
  },
  { name: 'custom profile: a public CA is not judged', config: { ...signing('certs/public-root.pem'), environment: 'production', profile: 'custom' }, status: 'pass', evidence: { issuerKind: 'other' } },
  { name: 'custom profile: a self-signed certificate', config: { ...signing('certs/self-signed.pem'), profile: 'custom' }, status: 'warn', code: 'self-signed', hint: /^Have the platform's CA issue the signing certificate from a certificate signing request \(CSR\) for the signing key, and set signing\.certificate to it\.$/ },
  {
    name: 'a certificate valid for 825 days',
    config: signing('certs/long-lived.pem'),
    status: 'warn',
    code: 'lifetime-too-long',
    message: /^certs\/long-lived\.pem \(CN=golive test client, O=Example Ltd, C=GB\) is valid for 825 days \(2026-01-01 to 2028-04-05\): Thredd issues certificates valid for 350 days, so one valid for more than 400 was not issued the way Thredd issues them\.$/,
    hint: /Thredd Portal/,
    evidence: { lifetimeDays: 825, issuerKind: 'other' },
  },
  { name: 'a certificate valid for 825 days in Production (a warning)', config: { ...signing('certs/long-lived.pem'), environment: 'production' }, status: 'warn', code: 'lifetime-too-long' },
  {
    name: 'self-signed and valid for 825 days in Production',
    config: { ...signing('certs/self-signed-long-lived.pem'), environment: 'production' },
    status: 'fail',
    code: 'self-signed',
    message: /is self-signed: .* is valid for 825 days/,
    evidence: { codes: ['self-signed', 'lifetime-too-long'] },
  },
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
