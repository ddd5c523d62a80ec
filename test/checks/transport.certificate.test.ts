import { beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/transport.certificate.js';
import { PUBLIC_ROOT_SUBJECT } from '../../src/sandbox/faults.js';
import { createCa } from '../../src/sandbox/pki.js';
import { credentialsDir, issue, issueSelfSigned, writeCredential } from '../support/credentials.js';
import { resolvedConfig, runContext, type ResolvedOverrides } from '../support/resolved-config.js';

const dir = credentialsDir();
const notBefore = new Date('2026-01-01T00:00:00Z');
const notAfter = new Date('2027-01-01T00:00:00Z');
const midway = Date.parse('2026-06-01T00:00:00Z');

beforeAll(async () => {
  const ca = await createCa('CN=Example Issuing CA, O=Example Ltd');
  const sandboxCa = await createCa('CN=Thredd Sandbox Issuing CA, O=Thredd');
  const base = { issuer: ca, key: { kind: 'ec' as const }, notBefore, notAfter };
  const files: Record<string, string> = {
    'tls/client.pem': (await issue({ ...base, extKeyUsage: ['clientAuth'] })).certPem + ca.certPem,
    'tls/any.pem': (await issue({ ...base })).certPem,
    'tls/server.pem': (await issue({ ...base, extKeyUsage: ['serverAuth'] })).certPem,
    'tls/ca-only.pem': (await issue({ ...base, extKeyUsage: ['clientAuth'], keyUsage: ['keyCertSign'] })).certPem,
    'tls/sandbox.pem': (await issue({ ...base, issuer: sandboxCa, extKeyUsage: ['clientAuth'] })).certPem,
    'tls/self-signed.pem': (await issueSelfSigned({ key: { kind: 'ec' }, notBefore, notAfter, extKeyUsage: ['clientAuth'] })).certPem,
    'tls/public-root.pem': (await issue({ ...base, issuer: await createCa(PUBLIC_ROOT_SUBJECT), extKeyUsage: ['clientAuth'] })).certPem,
  };
  const intermediate = await issue({ subject: 'CN=Example Intermediate CA, O=Example Ltd', issuer: ca, isCa: true, keyUsage: ['keyCertSign', 'cRLSign'], key: { kind: 'ec' } });
  const leaf = await issue({ ...base, issuer: intermediate, subject: 'CN=chained client, O=Example Ltd', extKeyUsage: ['clientAuth'] });
  files['tls/reversed.pem'] = intermediate.certPem + leaf.certPem;
  for (const [name, content] of Object.entries(files)) writeCredential(dir, name, content);
});

const transport = (certificate: string): ResolvedOverrides => ({ transport: { privateKey: 'tls/client.key', certificate } });

const scenarios: { name: string; config: ResolvedOverrides; now?: number; status: string; code?: string; message?: RegExp; hint?: RegExp; evidence?: Record<string, unknown> }[] = [
  { name: 'a clientAuth certificate with its chain', config: transport('tls/client.pem'), status: 'pass', evidence: { extKeyUsage: ['clientAuth'], chainDepth: 2, issuer: 'CN=Example Issuing CA, O=Example Ltd', selfSigned: false } },
  { name: 'no extendedKeyUsage (any usage)', config: transport('tls/any.pem'), status: 'pass' },
  {
    name: 'a chain listed intermediate first: judged on its leaf, not on the CA certificate',
    config: transport('tls/reversed.pem'),
    status: 'pass',
    evidence: { subject: 'CN=chained client, O=Example Ltd', issuer: 'CN=Example Intermediate CA, O=Example Ltd', extKeyUsage: ['clientAuth'], keyUsage: ['digitalSignature'], chainDepth: 2 },
  },
  { name: 'a TLS config', config: { connectivity: 'tls' }, status: 'skip', message: /^not applicable: TLS connectivity presents no client certificate$/ },
  { name: 'a serverAuth-only certificate', config: transport('tls/server.pem'), status: 'fail', code: 'no-client-auth', message: /^tls\/server\.pem has extended key usage serverAuth without clientAuth, so servers refuse it for TLS client authentication\.$/, hint: /clientAuth extended key usage/ },
  { name: 'keyUsage without digitalSignature', config: transport('tls/ca-only.pem'), status: 'fail', code: 'no-digital-signature', message: /has key usage keyCertSign without digitalSignature, so it cannot authenticate a TLS client/, hint: /digitalSignature/ },
  { name: 'a certificate expiring in 20 days', config: transport('tls/client.pem'), now: Date.parse('2026-12-12T00:00:00Z'), status: 'warn', code: 'expires-soon', message: /^tls\/client\.pem \(CN=golive test client.*\) expires in 20 days, on 2027-01-01\.$/, hint: /before 2027-01-01/, evidence: { daysLeft: 20 } },
  { name: 'an expired certificate', config: transport('tls/client.pem'), now: Date.parse('2027-03-01T00:00:00Z'), status: 'fail', code: 'expired', message: /expired on 2027-01-01/, hint: /transport\.certificate/ },
  { name: 'a sandbox CA in Production', config: { ...transport('tls/sandbox.pem'), environment: 'production' }, status: 'fail', code: 'sandbox-issuer-in-production', message: /issued by CN=Thredd Sandbox Issuing CA, O=Thredd, a sandbox or test CA, but this is a Production config/, hint: /transport\.certificate/ },
  {
    name: 'a self-signed certificate in Production',
    config: { ...transport('tls/self-signed.pem'), environment: 'production' },
    status: 'fail',
    code: 'self-signed',
    message: /^tls\/self-signed\.pem \(CN=golive test client, O=Example Ltd, C=GB\) is self-signed: it is its own issuer\. Thredd's rule: client certificates come from Thredd's CA/,
    hint: /^Request the transport certificate in Thredd Portal: create a certificate signing request \(CSR\) for the transport key, submit it there, and set transport\.certificate/,
  },
  { name: 'a self-signed certificate in UAT', config: transport('tls/self-signed.pem'), status: 'warn', code: 'self-signed' },
  { name: 'a certificate from a public root CA in UAT', config: transport('tls/public-root.pem'), status: 'warn', code: 'third-party-issuer', message: /a third-party CA \(DigiCert Global Root G2 is a root of Node's public root store\)/, hint: /thredd\.issuers/ },
  { name: 'a certificate from a public root CA in Production', config: { ...transport('tls/public-root.pem'), environment: 'production' }, status: 'fail', code: 'third-party-issuer' },
  { name: 'mtls without a transport section', config: { connectivity: 'mtls' }, status: 'fail', code: 'no-section', message: /no transport section/ },
];

describe('transport.certificate', () => {
  it.each(scenarios)('$name', async ({ config, now = midway, status, code, message, hint, evidence }) => {
    const result = await check.run(runContext(now), { 'config.references': resolvedConfig(dir, config) });
    expect(result.status, result.message).toBe(status);
    expect(result.code).toBe(code);
    if (message) expect(result.message).toMatch(message);
    if (hint) expect(result.hint).toMatch(hint);
    if (evidence) expect(result.evidence).toMatchObject(evidence);
  });
});
