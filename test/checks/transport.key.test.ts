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
  const files: Record<string, string | Buffer> = {
    'tls/rsa.key': rsa.export({ type: 'pkcs1', format: 'pem' }),
    'tls/ec.der': ec.export({ type: 'pkcs8', format: 'der' }),
    'tls/weak.key': weak.export({ type: 'pkcs8', format: 'pem' }),
    'tls/legacy.key': rsa.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: PASSPHRASE }),
    'tls/crlf.key': (rsa.export({ type: 'pkcs8', format: 'pem' }) as string).replace(/\n/g, '\r\n'),
    'tls/public.pem': generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
  };
  for (const [name, content] of Object.entries(files)) writeCredential(dir, name, content);
});

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
