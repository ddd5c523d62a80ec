import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/signing.key.js';
import { credentialsDir, issue, pemBody, pkcs12Of, writeCredential, type Issued } from '../support/credentials.js';
import { resolvedConfig, runContext, type ResolvedOverrides } from '../support/resolved-config.js';

const dir = credentialsDir();
const PASSPHRASE = 'signing-passphrase-123';
let rsa: Issued;

beforeAll(async () => {
  rsa = await issue({ key: { kind: 'rsa' } });
  const ec256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const ed = generateKeyPairSync('ed25519').privateKey;
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
  const pssSha256 = generateKeyPairSync('rsa-pss', { modulusLength: 3072, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256' }).privateKey;
  const files: Record<string, string | Buffer> = {
    'certs/ed448.key': generateKeyPairSync('ed448').privateKey.export({ type: 'pkcs8', format: 'pem' }),
    'certs/p384.key': generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    'certs/p521.key': generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({ type: 'sec1', format: 'pem' }),
    'certs/dsa.key': generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    'certs/pss-sha256.key': pssSha256.export({ type: 'pkcs8', format: 'pem' }),
    'certs/rsa.key': rsa.keyPem,
    'certs/ec256.key': ec256.export({ type: 'sec1', format: 'pem' }),
    'certs/ed25519.key': ed.export({ type: 'pkcs8', format: 'pem' }),
    'certs/weak.key': weak.export({ type: 'pkcs1', format: 'pem' }),
    'certs/pss.key': pss.export({ type: 'pkcs8', format: 'pem' }),
    'certs/encrypted.key': rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }),
    'certs/signing.p12': pkcs12Of(rsa, PASSPHRASE),
    'certs/signing.pem': rsa.certPem,
    'certs/pasted.key': rsa.keyPem.replace(/\n/g, '\\n'),
    'certs/broken.key': rsa.keyPem.slice(0, 300),
    'certs/id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
    'certs/request.csr': rsa.keyPem.replace(/PRIVATE KEY/g, 'CERTIFICATE REQUEST'),
  };
  for (const [name, content] of Object.entries(files)) writeCredential(dir, name, content);
});

interface Scenario {
  name: string;
  config: ResolvedOverrides;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  /** The finding's code: set for every warn and fail. */
  code?: string;
  message?: RegExp;
  hint?: RegExp;
  evidence?: Record<string, unknown>;
}

const signing = (privateKey: string, extra: ResolvedOverrides['signing'] = {}): ResolvedOverrides => ({
  signing: { privateKey, certificate: 'certs/signing.pem', ...extra },
});

const scenarios: Scenario[] = [
  { name: 'RSA key for PS256', config: signing('certs/rsa.key'), status: 'pass', evidence: { file: 'certs/rsa.key', type: 'rsa', bits: 2048, format: 'pkcs8-pem' } },
  { name: 'RSA key for RS256', config: signing('certs/rsa.key', { algorithm: 'RS256' }), status: 'pass' },
  { name: 'SEC1 P-256 key for ES256', config: signing('certs/ec256.key', { algorithm: 'ES256' }), status: 'pass', evidence: { type: 'ec', curve: 'P-256', format: 'sec1-pem' } },
  { name: 'Ed25519 key for EdDSA on a custom platform', config: { ...signing('certs/ed25519.key', { algorithm: 'EdDSA' }), profile: 'custom' }, status: 'pass', evidence: { type: 'ed25519' } },
  { name: 'EC P-384 key for ES384', config: signing('certs/p384.key', { algorithm: 'ES384' }), status: 'pass', evidence: { type: 'ec', curve: 'P-384' } },
  { name: 'encrypted key with its passphrase', config: signing('certs/encrypted.key', { passphrase: PASSPHRASE }), status: 'pass', evidence: { format: 'encrypted-pkcs8-pem' } },
  { name: 'PKCS#12 bundle with its password', config: signing('certs/signing.p12', { passphrase: PASSPHRASE }), status: 'pass', evidence: { format: 'pkcs12' } },
  {
    name: 'a secret client',
    config: { authMethod: 'client_secret_post' },
    status: 'skip',
    message: /^not applicable: client_secret_post clients do not sign$/,
  },
  { name: 'private_key_jwt without a signing section', config: {}, status: 'fail', code: 'no-section', message: /no signing section/, hint: /Add signing\.privateKey/, evidence: { section: 'signing', authMethod: 'private_key_jwt' } },
  { name: 'a missing file', config: signing('certs/nope.key'), status: 'fail', code: 'file-unreadable', message: /^certs\/nope\.key does not exist\.$/, hint: /Check signing\.privateKey/, evidence: { code: 'ENOENT', problem: 'file-unreadable' } },
  { name: 'a certificate in the key file', config: signing('certs/signing.pem'), status: 'fail', code: 'not-a-private-key', message: /^certs\/signing\.pem holds a certificate, not a private key\.$/, hint: /signing\.privateKey at the private key the certificate was issued for/ },
  { name: 'an OpenSSH key', config: signing('certs/id_rsa'), status: 'fail', code: 'key-unsupported', message: /^certs\/id_rsa is an OpenSSH private key/, hint: /ssh-keygen -p -m PKCS8 -f certs\/id_rsa/, evidence: { problem: 'key-unsupported', found: 'OPENSSH PRIVATE KEY' } },
  { name: 'a certificate request in the key file', config: signing('certs/request.csr'), status: 'fail', code: 'not-a-private-key', message: /^certs\/request\.csr holds a certificate signing request, not a private key\.$/, hint: /signing\.privateKey at the private key file/ },
  { name: 'truncated PEM', config: signing('certs/broken.key'), status: 'fail', code: 'pem-malformed', message: /^certs\/broken\.key is not valid PEM: .*no matching END line/, hint: /intact copy/, evidence: { problem: 'pem-malformed' } },
  { name: 'an encrypted key without passphrase', config: signing('certs/encrypted.key'), status: 'fail', code: 'passphrase-missing', message: /^certs\/encrypted\.key is encrypted .* signing\.passphrase is not set\.$/, hint: /^Set signing\.passphrase/ },
  { name: 'a wrong passphrase', config: signing('certs/encrypted.key', { passphrase: 'nope' }), status: 'fail', code: 'passphrase-wrong', message: /does not decrypt certs\/encrypted\.key/, hint: /passphrase the key was encrypted with/, evidence: { code: 'ERR_OSSL_BAD_DECRYPT', problem: 'passphrase-wrong' } },
  { name: 'a PKCS#12 bundle without password', config: signing('certs/signing.p12'), status: 'fail', code: 'pkcs12-password-missing', message: /password-protected PKCS#12 bundle and signing\.passphrase is not set/, hint: /export password/ },
  { name: 'a PKCS#12 bundle with a wrong password', config: signing('certs/signing.p12', { passphrase: 'nope' }), status: 'fail', code: 'pkcs12-password-wrong', message: /does not open the PKCS#12 bundle certs\/signing\.p12/, hint: /export password/ },
  { name: 'a 1024-bit RSA key', config: signing('certs/weak.key'), status: 'fail', code: 'rsa-too-short', message: /^certs\/weak\.key is a 1024-bit RSA key; at least 2048 bits are required\.$/, hint: /rsa_keygen_bits:2048/, evidence: { bits: 1024 } },
  { name: 'ES256 with an RSA key', config: signing('certs/rsa.key', { algorithm: 'ES256' }), status: 'fail', code: 'algorithm-key-mismatch', message: /^signing\.algorithm ES256 needs an EC P-256 key, but certs\/rsa\.key is a 2048-bit RSA key\.$/, hint: /^Set signing\.algorithm to RS256 or PS256, or use an EC P-256 key for ES256\.$/ },
  { name: 'ES256 with an RSA key on a custom platform', config: { ...signing('certs/rsa.key', { algorithm: 'ES256' }), profile: 'custom' }, status: 'fail', code: 'algorithm-key-mismatch', hint: /^Set signing\.algorithm to RS256, RS384, RS512, PS256, PS384 or PS512, or use an EC P-256 key for ES256\.$/ },
  { name: 'ES384 with a P-256 key', config: signing('certs/ec256.key', { algorithm: 'ES384' }), status: 'fail', code: 'algorithm-key-mismatch', message: /ES384 needs an EC P-384 key, but certs\/ec256\.key is an EC P-256 key/, hint: /Set signing\.algorithm to ES256/ },
  { name: 'PS256 with an EC key', config: signing('certs/ec256.key', { algorithm: 'PS256' }), status: 'fail', code: 'algorithm-key-mismatch', message: /PS256 needs an RSA key/, hint: /ES256/ },
  { name: 'EdDSA with an RSA key', config: signing('certs/rsa.key', { algorithm: 'EdDSA' }), status: 'fail', code: 'algorithm-key-mismatch', message: /EdDSA needs an Ed25519 key/, hint: /^Set signing\.algorithm to RS256 or PS256, or use an Ed25519 key for EdDSA\.$/ },
  { name: 'an unknown algorithm', config: signing('certs/rsa.key', { algorithm: 'HS256' }), status: 'fail', code: 'unknown-algorithm', message: /^signing\.algorithm "HS256" is not an asymmetric JWS algorithm golive knows/, hint: /for a 2048-bit RSA key that is RS256 or PS256\.$/, evidence: { algorithm: 'HS256' } },
  { name: 'an algorithm named like an Object.prototype member', config: signing('certs/rsa.key', { algorithm: 'constructor' }), status: 'fail', code: 'unknown-algorithm', message: /^signing\.algorithm "constructor" is not an asymmetric JWS algorithm golive knows/, hint: /for a 2048-bit RSA key that is RS256 or PS256\.$/, evidence: { algorithm: 'constructor' } },
  // Key types golive cannot sign Thredd's assertions with: the message names the type, the hint what Thredd needs.
  ...unsupportedKeyScenarios(),
  { name: 'a key pasted with literal \\n', config: signing('certs/pasted.key'), status: 'warn', code: 'repaired-pem', message: /^certs\/pasted\.key is not clean PEM .*replaced literal \\n sequences with line breaks/, hint: /Rewrite the file as plain PEM/, evidence: { repaired: ['replaced literal \\n sequences with line breaks'] } },
];

function unsupportedKeyScenarios(): Scenario[] {
  const threddNeeds = /^Thredd needs an RSA key of 2048 bits or more \(RS256, PS256\) or an EC P-256 key \(ES256\): generate one \(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048\), have its certificate issued and registered, and set signing\.privateKey to it\.$/;
  const pssMessage = (file: string, bits: number) =>
    new RegExp(`^certs/${file} is a ${bits}-bit RSA-PSS key \\(OID id-RSASSA-PSS, restricted to PSS signatures\\); golive does not sign client assertions with such keys, as a JWK cannot carry that restriction and JOSE libraries read RSA keys in their plain rsaEncryption form\\.$`);
  return [
    {
      name: 'an Ed25519 key for Thredd (default algorithm)',
      config: signing('certs/ed25519.key'),
      status: 'fail',
      code: 'key-unsupported',
      message: /^certs\/ed25519\.key is an Ed25519 key, but Thredd's client assertions are RS256, PS256 or ES256, which need an RSA or EC P-256 key\.$/,
      hint: threddNeeds,
      evidence: { type: 'ed25519', algorithm: 'PS256', profile: 'thredd' },
    },
    {
      name: 'an Ed25519 key with EdDSA for Thredd',
      config: signing('certs/ed25519.key', { algorithm: 'EdDSA' }),
      status: 'fail',
      code: 'key-unsupported',
      message: /^certs\/ed25519\.key is an Ed25519 key, but Thredd's client assertions are RS256, PS256 or ES256/,
      hint: threddNeeds,
      evidence: { type: 'ed25519', algorithm: 'EdDSA', profile: 'thredd' },
    },
    {
      name: 'an Ed25519 key with PS256 on a custom platform',
      config: { ...signing('certs/ed25519.key'), profile: 'custom' },
      status: 'fail',
      code: 'algorithm-key-mismatch',
      message: /^signing\.algorithm PS256 needs an RSA key, but certs\/ed25519\.key is an Ed25519 key\.$/,
      hint: /^Set signing\.algorithm to EdDSA, or use an RSA key for PS256\.$/,
      evidence: { type: 'ed25519', algorithm: 'PS256', profile: 'custom' },
    },
    {
      name: 'an Ed448 key with EdDSA, even on a custom platform',
      config: { ...signing('certs/ed448.key', { algorithm: 'EdDSA' }), profile: 'custom' },
      status: 'fail',
      code: 'key-unsupported',
      message: /^certs\/ed448\.key is an Ed448 key; golive cannot sign client assertions with it, as its JOSE library signs EdDSA with Ed25519 keys only\.$/,
      hint: /^Use an RSA key of 2048 bits or more \(RS256, PS256\) or an EC P-256 key \(ES256\): generate one/,
      evidence: { type: 'ed448', algorithm: 'EdDSA', profile: 'custom' },
    },
    {
      name: 'an Ed448 key for Thredd',
      config: signing('certs/ed448.key'),
      status: 'fail',
      code: 'key-unsupported',
      message: /^certs\/ed448\.key is an Ed448 key; golive cannot sign/,
      hint: threddNeeds,
      evidence: { type: 'ed448', algorithm: 'PS256' },
    },
    {
      name: 'an EC P-384 key with ES256 for Thredd',
      config: signing('certs/p384.key', { algorithm: 'ES256' }),
      status: 'fail',
      code: 'algorithm-key-mismatch',
      message: /^signing\.algorithm ES256 needs an EC P-256 key, but certs\/p384\.key is an EC P-384 key\.$/,
      hint: /^Use an EC P-256 key for ES256 \(Thredd's client assertions are RS256, PS256 or ES256\): generate one \(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256\), have its certificate issued and registered, and set signing\.privateKey to it\.$/,
      evidence: { type: 'ec', curve: 'P-384', algorithm: 'ES256', format: 'pkcs8-pem' },
    },
    {
      name: 'an EC P-521 key with ES256 for Thredd',
      config: signing('certs/p521.key', { algorithm: 'ES256' }),
      status: 'fail',
      code: 'algorithm-key-mismatch',
      message: /^signing\.algorithm ES256 needs an EC P-256 key, but certs\/p521\.key is an EC P-521 key\.$/,
      hint: /^Use an EC P-256 key for ES256 \(Thredd's client assertions are RS256, PS256 or ES256\)/,
      evidence: { type: 'ec', curve: 'P-521', algorithm: 'ES256', format: 'sec1-pem' },
    },
    {
      name: 'an EC P-521 key with ES256 on a custom platform',
      config: { ...signing('certs/p521.key', { algorithm: 'ES256' }), profile: 'custom' },
      status: 'fail',
      code: 'algorithm-key-mismatch',
      hint: /^Set signing\.algorithm to ES512, or use an EC P-256 key for ES256\.$/,
      evidence: { type: 'ec', curve: 'P-521', algorithm: 'ES256' },
    },
    {
      name: 'an RSA-PSS-only key with PS256',
      config: signing('certs/pss.key'),
      status: 'fail',
      code: 'key-unsupported',
      message: pssMessage('pss\\.key', 2048),
      hint: threddNeeds,
      evidence: { type: 'rsa-pss', bits: 2048, algorithm: 'PS256' },
    },
    {
      name: 'an RSA-PSS-only key restricted to SHA-256 with PS256',
      config: signing('certs/pss-sha256.key'),
      status: 'fail',
      code: 'key-unsupported',
      message: pssMessage('pss-sha256\\.key', 3072),
      hint: threddNeeds,
      evidence: { type: 'rsa-pss', bits: 3072, algorithm: 'PS256' },
    },
    {
      name: 'an RSA-PSS-only key with RS256',
      config: signing('certs/pss.key', { algorithm: 'RS256' }),
      status: 'fail',
      code: 'key-unsupported',
      message: pssMessage('pss\\.key', 2048),
      evidence: { type: 'rsa-pss', algorithm: 'RS256' },
    },
    {
      name: 'a DSA key',
      config: signing('certs/dsa.key'),
      status: 'fail',
      code: 'key-unsupported',
      message: /^certs\/dsa\.key holds a 2048-bit DSA key, which golive cannot use: JOSE defines no DSA algorithm for client assertions, and TLS 1\.3 has no DSA signatures for client certificates\.$/,
      hint: /^Use an RSA key of 2048 bits or more or an EC P-256 key: generate one \(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048\), have its certificate issued and set signing\.privateKey to it\.$/,
      evidence: { problem: 'key-unsupported', type: 'dsa', bits: 2048, format: 'pkcs8-pem' },
    },
  ];
}

describe('signing.key', () => {
  it.each(scenarios)('$name', async ({ config, status, code, message, hint, evidence }) => {
    const result = await check.run(runContext(), { 'config.references': resolvedConfig(dir, config) });
    expect(result.status, result.message).toBe(status);
    expect(result.code).toBe(code);
    if (message) expect(result.message).toMatch(message);
    if (hint) expect(result.hint).toMatch(hint);
    if (evidence) expect(result.evidence).toMatchObject(evidence);
    if (status === 'pass' || status === 'warn') {
      expect(result.output?.facts.thumbprint).toMatch(/^[\w-]{43}$/);
      expect(result.evidence?.thumbprint).toBe(result.output?.facts.thumbprint);
    } else {
      expect(result.output).toBeUndefined();
    }
    if (status === 'skip') expect(result.notApplicable).toBe(true);
    const reported = JSON.stringify({ ...result, output: undefined });
    expect(reported).not.toContain(PASSPHRASE);
    expect(reported).not.toContain(pemBody(rsa.keyPem).slice(200, 240));
  });
});

describe('signing.key evidence', () => {
  it('carries the RFC 7638 thumbprint of the public key, computed independently here', async () => {
    const result = await check.run(runContext(), {
      'config.references': resolvedConfig(dir, { signing: { privateKey: 'certs/rsa.key', certificate: 'certs/signing.pem' } }),
    });
    const { e, n } = createPublicKey(rsa.keyPem).export({ format: 'jwk' });
    const expected = createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest('base64url');
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({ type: 'rsa', bits: 2048, format: 'pkcs8-pem', thumbprint: expected });
  });
});
