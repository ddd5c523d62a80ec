import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/transport.key.js';
import { credentialsDir, writeCredential } from '../support/credentials.js';
import { resolvedConfig, runContext, type ResolvedOverrides } from '../support/resolved-config.js';

const dir = credentialsDir();
const PASSPHRASE = 'transport-passphrase-456';

beforeAll(() => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  const ed25519 = generateKeyPairSync('ed25519').privateKey;
  const files: Record<string, string | Buffer> = {
    'tls/rsa.key': rsa.export({ type: 'pkcs1', format: 'pem' }),
    'tls/ec.der': ec.export({ type: 'pkcs8', format: 'der' }),
    'tls/weak.key': weak.export({ type: 'pkcs8', format: 'pem' }),
    'tls/legacy.key': rsa.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: PASSPHRASE }),
    'tls/crlf.key': (rsa.export({ type: 'pkcs8', format: 'pem' }) as string).replace(/\n/g, '\r\n'),
    'tls/public.pem': generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
    'tls/p521.key': generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({ type: 'sec1', format: 'pem' }),
    'tls/ed25519.key': ed25519.export({ type: 'pkcs8', format: 'pem' }),
    'tls/ed25519-crlf.key': (ed25519.export({ type: 'pkcs8', format: 'pem' }) as string).replace(/\n/g, '\r\n'),
    'tls/ed448.key': generateKeyPairSync('ed448').privateKey.export({ type: 'pkcs8', format: 'pem' }),
    'tls/pss.key': generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    'tls/secp256k1.key': generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    'tls/dsa.key': generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  };
  for (const [name, content] of Object.entries(files)) writeCredential(dir, name, content);
});

const UNCOMMON_HINT =
  /^If network\.token-endpoint or network\.api-endpoint reports the client certificate refused, have the transport certificate issued for an RSA key of 2048 bits or more or an EC P-256 key, which every TLS stack accepts\.$/;

const transport = (privateKey: string, extra: ResolvedOverrides['transport'] = {}): ResolvedOverrides => ({
  transport: { privateKey, certificate: 'tls/transport.pem', ...extra },
});

const scenarios: { name: string; config: ResolvedOverrides; status: string; code?: string; message?: RegExp; hint?: RegExp; evidence?: Record<string, unknown> }[] = [
  { name: 'PKCS#1 RSA key', config: transport('tls/rsa.key'), status: 'pass', evidence: { file: 'tls/rsa.key', type: 'rsa', bits: 2048, format: 'pkcs1-pem' } },
  { name: 'DER P-384 key (no algorithm rule for transport)', config: transport('tls/ec.der'), status: 'pass', evidence: { type: 'ec', curve: 'P-384', format: 'der' } },
  { name: 'legacy encrypted key with passphrase', config: transport('tls/legacy.key', { passphrase: PASSPHRASE }), status: 'pass', evidence: { format: 'encrypted-pkcs1-pem' } },
  { name: 'a TLS config', config: { connectivity: 'tls' }, status: 'skip', message: /^not applicable: TLS connectivity presents no client certificate$/ },
  { name: 'mtls without a transport section', config: { connectivity: 'mtls' }, status: 'fail', code: 'no-section', message: /no transport section, but mtls connectivity presents a client certificate/, hint: /Add transport\.privateKey and transport\.certificate/, evidence: { section: 'transport', connectivity: 'mtls' } },
  { name: 'an encrypted key without passphrase', config: transport('tls/legacy.key'), status: 'fail', code: 'passphrase-missing', message: /^tls\/legacy\.key is encrypted \(legacy encrypted PKCS#1 RSA\) and transport\.passphrase is not set\.$/, hint: /^Set transport\.passphrase/ },
  { name: 'a wrong passphrase', config: transport('tls/legacy.key', { passphrase: 'nope' }), status: 'fail', code: 'passphrase-wrong', message: /The passphrase in transport\.passphrase does not decrypt tls\/legacy\.key/, hint: /transport\.passphrase/ },
  { name: 'a public key', config: transport('tls/public.pem'), status: 'fail', code: 'not-a-private-key', message: /^tls\/public\.pem holds a public key, not a private key\.$/, hint: /transport\.privateKey/ },
  { name: 'a 1024-bit RSA key', config: transport('tls/weak.key'), status: 'fail', code: 'rsa-too-short', message: /1024-bit RSA key; at least 2048 bits are required/, hint: /transport\.privateKey/ },
  { name: 'CRLF line endings', config: transport('tls/crlf.key'), status: 'warn', code: 'repaired-pem', message: /^tls\/crlf\.key is not clean PEM .*converted CRLF line endings to LF/, hint: /LF line breaks/ },
  // A TLS client key needs no JOSE algorithm: any RSA or EC P-256/P-384/P-521 key is fine; rarer types work only where the server offers their signatures.
  { name: 'SEC1 P-521 key', config: transport('tls/p521.key'), status: 'pass', evidence: { type: 'ec', curve: 'P-521', format: 'sec1-pem' } },
  ...(['ed25519', 'ed448'] as const).map((type) => {
    const name = type === 'ed25519' ? 'Ed25519' : 'Ed448';
    return {
      name: `an ${name} key`,
      config: transport(`tls/${type}.key`),
      status: 'warn',
      code: 'key-type-uncommon',
      message: new RegExp(`^tls/${type}\\.key is an ${name} key: a TLS server accepts its certificate only when it offers ${name} signatures, and many servers and gateways offer only RSA and ECDSA\\.$`),
      hint: UNCOMMON_HINT,
      evidence: { file: `tls/${type}.key`, type, format: 'pkcs8-pem' },
    };
  }),
  {
    name: 'an RSA-PSS-only key',
    config: transport('tls/pss.key'),
    status: 'warn',
    code: 'key-type-uncommon',
    message: /^tls\/pss\.key is a 2048-bit RSA-PSS key: a TLS server accepts its certificate only when it offers rsa_pss_pss signatures, and many servers and gateways offer only RSA and ECDSA\.$/,
    hint: UNCOMMON_HINT,
    evidence: { type: 'rsa-pss', bits: 2048 },
  },
  {
    name: 'an Ed25519 key with CRLF line endings: both warnings',
    config: transport('tls/ed25519-crlf.key'),
    status: 'warn',
    code: 'key-type-uncommon',
    message: /^tls\/ed25519-crlf\.key is an Ed25519 key: .* tls\/ed25519-crlf\.key is not clean PEM/,
    hint: /which every TLS stack accepts\. Rewrite the file as plain PEM/,
    evidence: { type: 'ed25519', codes: ['key-type-uncommon', 'repaired-pem'] },
  },
  {
    // Proven by hand against node:tls: TLS 1.3 sends no certificate, a TLS 1.2 server fails with "wrong curve".
    name: 'an EC secp256k1 key',
    config: transport('tls/secp256k1.key'),
    status: 'fail',
    code: 'key-unsupported',
    message: /^tls\/secp256k1\.key is an EC secp256k1 key; TLS 1\.3 signs with EC keys on P-256, P-384 and P-521 only, so a TLS 1\.3 client does not send its certificate and TLS 1\.2 servers refuse the curve\.$/,
    hint: /^Use an RSA key of 2048 bits or more or an EC P-256 key: generate one \(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256\), have the transport certificate issued for it and set transport\.privateKey to it\.$/,
    evidence: { type: 'ec', curve: 'secp256k1' },
  },
  {
    name: 'a DSA key',
    config: transport('tls/dsa.key'),
    status: 'fail',
    code: 'key-unsupported',
    message: /^tls\/dsa\.key holds a 2048-bit DSA key, which golive cannot use: .*TLS 1\.3 has no DSA signatures for client certificates\.$/,
    hint: /an EC P-256 key: generate one \(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048\), have its certificate issued and set transport\.privateKey to it\.$/,
    evidence: { problem: 'key-unsupported', type: 'dsa', bits: 2048 },
  },
];

describe('transport.key', () => {
  it.each(scenarios)('$name', async ({ config, status, code, message, hint, evidence }) => {
    const result = await check.run(runContext(), { 'config.references': resolvedConfig(dir, config) });
    expect(result.status, result.message).toBe(status);
    expect(result.code).toBe(code);
    if (message) expect(result.message).toMatch(message);
    if (hint) expect(result.hint).toMatch(hint);
    if (evidence) expect(result.evidence).toMatchObject(evidence);
    expect(result.output === undefined).toBe(status === 'fail' || status === 'skip');
    expect(JSON.stringify({ ...result, output: undefined })).not.toContain(PASSPHRASE);
  });
});
