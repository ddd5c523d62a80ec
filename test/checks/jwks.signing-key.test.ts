import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/jwks.signing-key.js';
import type { KeyPair } from '../../src/credentials/types.js';
import type { PublishedJwk } from '../../src/online/types.js';
import { runContext } from '../support/resolved-config.js';
import { startSandbox, type FaultName, type Sandbox } from '../../src/sandbox/index.js';
import { credentialsDir, daysFromNow, issue, writeCredential } from '../support/credentials.js';
import { checkSandboxJwks, configWithJwks, fetchedJwks, keyPairOf, publishedOf } from '../support/jwks-fixtures.js';
import { configVariant, runOnline, sandboxEnv } from '../support/online.js';

const REGISTER_HINT = 'Register the signing certificate in the portal, or point signing.privateKey (and signing.certificate) at the registered key.';

let sandbox: Sandbox;
const dir = credentialsDir();
/** An RSA signing pair, the same key under a renewed certificate and under an expired one, an EC pair and an unrelated RSA pair. */
let rsa: KeyPair;
let renewed: KeyPair;
let expired: KeyPair;
let ec: KeyPair;
let other: KeyPair;

beforeAll(async () => {
  const startedSandbox = startSandbox({ quiet: true });
  const [rsaIssued, ecIssued, otherIssued] = await Promise.all([
    issue({ key: { kind: 'rsa' }, keyUsage: ['digitalSignature'] }),
    issue({ key: { kind: 'ec' }, keyUsage: ['digitalSignature'] }),
    issue({ key: { kind: 'rsa' }, subject: 'CN=someone else' }),
  ]);
  const [renewedIssued, expiredIssued] = await Promise.all([
    issue({ keys: rsaIssued.keys, keyUsage: ['digitalSignature'], subject: 'CN=golive test client renewed' }),
    issue({ keys: rsaIssued.keys, keyUsage: ['digitalSignature'], subject: 'CN=golive test client expired', notBefore: daysFromNow(-400), notAfter: daysFromNow(-35) }),
  ]);
  const write = (name: string, issued: typeof rsaIssued) =>
    keyPairOf(writeCredential(dir, `${name}.pem`, issued.certPem), writeCredential(dir, `${name}.key`, issued.keyPem));
  [rsa, renewed, expired, ec, other, sandbox] = await Promise.all([
    write('rsa', rsaIssued),
    write('renewed', renewedIssued),
    write('expired', expiredIssued),
    write('ec', ecIssued),
    write('other', otherIssued),
    startedSandbox,
  ]);
});

afterAll(async () => {
  await sandbox?.close();
});

describe('jwks.signing-key against the sandbox', () => {
  it.each([
    ['private_key_jwt-tls', () => sandbox.kids.signing],
    ['private_key_jwt-es256-tls', () => sandbox.kids.signingEs256],
    ['private_key_jwt-mtls', () => sandbox.kids.signing],
  ])('passes for %s with the registered kid', async (name, kid) => {
    const result = (await checkSandboxJwks(sandbox, name))['jwks.signing-key']!;
    expect(result.status).toBe('pass');
    expect(result.message).toMatch(
      new RegExp(`^The signing key is registered under kid "${kid()}" \\(use sig, alg not set\\), matched by key material \\(RFC 7638 thumbprint [\\w-]{43}\\)\\.$`),
    );
    expect(result.evidence).toMatchObject({ kid: kid(), use: 'sig', matchedBy: 'thumbprint', configuredKid: kid() });
  });

  it('does not apply to a client_secret_post client', async () => {
    const result = (await checkSandboxJwks(sandbox, 'client_secret_post-tls'))['jwks.signing-key']!;
    expect(result).toMatchObject({ status: 'skip', message: 'not applicable: client_secret_post clients do not sign' });
  });

  const faults: Array<{ fault: FaultName; status: string; check: (result: { code?: string; message?: string; hint?: string; evidence?: Record<string, unknown> }) => void }> = [
    {
      fault: 'key-not-in-jwks',
      status: 'fail',
      check: ({ code, message, hint, evidence }) => {
        expect(code).toBe('key-not-registered');
        expect(message).toMatch(/^The signing key \(thumbprint [\w-]{43}, certificate x5t#S256 [\w-]{43}\) is not registered in the JWKS; it holds kids "[\w-]+", "[\w-]+"\.$/);
        expect(message).toContain(`"${sandbox.kids.transport}"`);
        expect(message).toContain(evidence!.thumbprint as string);
        expect(message).toContain(evidence!.x5tS256 as string);
        expect(hint).toBe(REGISTER_HINT);
        expect(evidence!.jwksKids).toHaveLength(2);
      },
    },
    {
      fault: 'kid-mismatch',
      status: 'fail',
      check: ({ code, message, hint, evidence }) => {
        expect(code).toBe('kid-mismatch');
        const registered = (evidence!.registeredKids as string[])[0]!;
        expect(registered).not.toBe(sandbox.kids.signing);
        expect(message).toBe(`signing.kid is "${sandbox.kids.signing}", but the JWKS registers this signing key under kid "${registered}".`);
        expect(hint).toBe(`Set signing.kid to "${registered}" (the KID the portal shows for this certificate), or remove signing.kid so golive uses the registered kid.`);
        expect(evidence!.jwksKids).toContain(registered);
      },
    },
    {
      fault: 'expired-signing-certificate',
      status: 'skip',
      check: ({ message }) => expect(message).toBe('needs signing.keypair, which could not run: signing.certificate failed'),
    },
  ];

  it.each(faults)('$status on $fault', async ({ fault, status, check: assert }) => {
    sandbox.setFaults([fault]);
    try {
      const result = (await checkSandboxJwks(sandbox, 'private_key_jwt-tls'))['jwks.signing-key']!;
      expect(result.status).toBe(status);
      assert(result);
    } finally {
      sandbox.setFaults([]);
    }
  });
});

/** A leading zero byte before the modulus: the same number, another string and thumbprint. */
function withLeadingZero(value: string): string {
  return Buffer.concat([Buffer.alloc(1), Buffer.from(value, 'base64url')]).toString('base64url');
}

function withoutMembers(jwk: PublishedJwk, ...names: string[]): PublishedJwk {
  return Object.fromEntries(Object.entries(jwk).filter(([name]) => !names.includes(name))) as PublishedJwk;
}

interface Scenario {
  name: string;
  pair?: () => KeyPair;
  keys: () => PublishedJwk[];
  kid?: string;
  algorithm?: string;
  status: 'pass' | 'warn' | 'fail';
  code?: string;
  message: RegExp | (() => string);
  hint?: RegExp | string;
  output?: Record<string, unknown>;
  evidence?: () => Record<string, unknown>;
}

const scenarios: Scenario[] = [
  {
    name: 'the key among unrelated keys, by thumbprint',
    keys: () => [publishedOf(other, 'other-1'), publishedOf(rsa, 'opaque-7Qx'), publishedOf(ec, 'ec-1')],
    status: 'pass',
    message: () => `The signing key is registered under kid "opaque-7Qx" (use sig, alg not set), matched by key material (RFC 7638 thumbprint ${rsa.key.facts.thumbprint}).`,
    output: { kid: 'opaque-7Qx', use: 'sig', matchedBy: 'thumbprint' },
  },
  {
    name: 'an EC key',
    pair: () => ec,
    algorithm: 'ES256',
    keys: () => [publishedOf(rsa, 'rsa-1'), publishedOf(ec, 'ec-1')],
    status: 'pass',
    message: /^The signing key is registered under kid "ec-1"/,
    output: { kid: 'ec-1', matchedBy: 'thumbprint' },
  },
  {
    name: 'the configured kid among two registrations of the key',
    kid: 'second',
    keys: () => [publishedOf(rsa, 'first'), publishedOf(rsa, 'second')],
    status: 'pass',
    message: /^The signing key is registered under kid "second" .* It is also registered under kid "first"\.$/,
    output: { kid: 'second' },
  },
  {
    name: 'a modulus published with a leading zero byte',
    keys: () => [publishedOf(rsa, 'padded', 'sig', { n: withLeadingZero(rsa.key.publicJwk.n!) })],
    status: 'pass',
    message: /matched by RSA modulus and exponent \(published with another encoding of the same numbers\)\.$/,
    output: { kid: 'padded', matchedBy: 'modulus' },
  },
  {
    name: 'an entry with only x5t#S256',
    keys: () => [withoutMembers(publishedOf(rsa, 'by-hash'), 'n', 'e', 'kty', 'x5c')],
    status: 'pass',
    message: () => `The signing key is registered under kid "by-hash" (use sig, alg not set), matched by certificate hash x5t#S256 ${rsa.certificate.facts.x5tS256} (the entry has no key members).`,
    output: { matchedBy: 'x5t#S256' },
  },
  {
    name: 'an entry with only x5c',
    keys: () => [withoutMembers(publishedOf(rsa, 'by-chain'), 'n', 'e', 'x5t#S256')],
    status: 'pass',
    message: /matched by certificate hash x5t#S256/,
    output: { kid: 'by-chain', matchedBy: 'x5t#S256' },
  },
  {
    name: 'the signing registration over a tls one for the same key',
    keys: () => [publishedOf(rsa, 'as-tls', 'tls'), publishedOf(rsa, 'as-sig', 'sig')],
    status: 'pass',
    message: /^The signing key is registered under kid "as-sig" \(use sig/,
    output: { kid: 'as-sig' },
  },
  {
    name: 'the key registered with use tls only',
    keys: () => [publishedOf(rsa, 'transport-1', 'tls')],
    status: 'fail',
    code: 'use-not-sig',
    message: /^The signing key is registered under kid "transport-1" with use "tls", not for signatures: the platform will not verify assertions with it\.$/,
    hint: /^This entry registers a transport \(TLS\) certificate/,
  },
  {
    name: 'the key registered with key_ops that exclude verify',
    keys: () => [publishedOf(rsa, 'enc-ops', 'sig', { key_ops: ['encrypt'] })],
    status: 'fail',
    code: 'key-ops-without-verify',
    message: /with key_ops \["encrypt"\], not for signatures/,
    hint: /use "sig"/,
  },
  {
    name: 'the key registered with the certificate before renewal',
    pair: () => renewed,
    keys: () => [publishedOf(rsa, 'old-cert')],
    status: 'warn',
    code: 'certificate-differs',
    message: () =>
      `The JWKS registers this key (kid "old-cert") with another certificate: registered SHA-256 ${rsa.certificate.facts.fingerprintSha256}, local signing.certificate SHA-256 ${renewed.certificate.facts.fingerprintSha256}.`,
    hint: /^The key is the same, so signatures verify; upload the current certificate in the portal/,
    output: { kid: 'old-cert' },
  },
  {
    name: 'a registered alg that differs from signing.algorithm',
    keys: () => [publishedOf(rsa, 'rs', 'sig', { alg: 'RS256' })],
    status: 'warn',
    code: 'alg-mismatch',
    message: /^The JWKS registers this key \(kid "rs"\) for alg RS256, but signing\.algorithm is PS256\.$/,
    hint: 'Set signing.algorithm to RS256, or register the key for PS256 in the portal.',
    output: { kid: 'rs', alg: 'RS256' },
  },
  {
    name: 'the key registered without a kid',
    keys: () => [withoutMembers(publishedOf(rsa, ''), 'kid')],
    status: 'warn',
    code: 'no-kid',
    message: /^The signing key is registered without a kid/,
    hint: /so the JWKS lists it under a kid/,
  },
  {
    name: 'a configured kid that names another key',
    kid: 'shared-kid',
    keys: () => [publishedOf(other, 'shared-kid')],
    status: 'fail',
    code: 'key-not-registered',
    message: () =>
      `The signing key (thumbprint ${rsa.key.facts.thumbprint}, certificate x5t#S256 ${rsa.certificate.facts.x5tS256}) is not registered in the JWKS; it holds kid "shared-kid". The kid "shared-kid" of signing.kid is there, but for another key (thumbprint ${other.key.facts.thumbprint}).`,
    hint: REGISTER_HINT,
  },
  {
    name: 'an entry claiming the certificate hash over other key members',
    keys: () => [publishedOf(other, 'liar', 'sig', { 'x5t#S256': rsa.certificate.facts.x5tS256 })],
    status: 'fail',
    code: 'key-not-registered',
    message: /is not registered in the JWKS; it holds kid "liar"\.$/,
    hint: REGISTER_HINT,
  },
  {
    name: 'the key registered with an expired certificate',
    keys: () => [publishedOf(expired, 'expired-cert')],
    status: 'warn',
    code: 'registered-certificate-expired',
    message: () =>
      `The JWKS registers this key (kid "expired-cert") with another certificate: registered SHA-256 ${expired.certificate.facts.fingerprintSha256}, expired ${expired.certificate.facts.notAfter.slice(0, 10)}, local signing.certificate SHA-256 ${rsa.certificate.facts.fingerprintSha256}.`,
    hint: /^The key is the same, so signatures verify/,
    output: { kid: 'expired-cert' },
    evidence: () => ({
      registeredCertificateExpired: true,
      registeredCertificate: { x5tS256: expired.certificate.facts.x5tS256, notAfter: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    }),
  },
  {
    name: 'a configured kid while the key is registered without one',
    kid: 'invented',
    keys: () => [withoutMembers(publishedOf(rsa, ''), 'kid')],
    status: 'fail',
    code: 'kid-mismatch',
    message: () => 'signing.kid is "invented", but the JWKS registers this signing key under an entry with no kid.',
    hint: 'Re-register the signing certificate in the portal so it gets a kid, then set signing.kid to it or remove signing.kid.',
    evidence: () => ({ registeredKids: [], matchedBy: 'thumbprint' }),
  },
  {
    name: 'no kid and another alg, one warning leading with the missing kid',
    keys: () => [withoutMembers(publishedOf(rsa, '', 'sig', { alg: 'RS256' }), 'kid')],
    status: 'warn',
    code: 'no-kid',
    message: /^The signing key is registered without a kid, .* The JWKS registers this key \(no kid\) for alg RS256, but signing\.algorithm is PS256\.$/,
    hint: /so the JWKS lists it under a kid\. Set signing\.algorithm to RS256/,
    output: { alg: 'RS256' },
    evidence: () => ({ codes: ['no-kid', 'alg-mismatch'] }),
  },
];

describe('jwks.signing-key on crafted key sets', () => {
  it.each(scenarios)('$status: $name', async ({ pair, keys, kid, algorithm, status, code, message, hint, output, evidence }) => {
    const config = configWithJwks('http://127.0.0.1:9/org/jwks.json', { signing: { algorithm: algorithm ?? 'PS256' } });
    if (kid !== undefined) config.signing!.kid = kid;
    const result = await check.run(runContext(), { 'jwks.fetch': fetchedJwks(keys(), config), 'signing.keypair': (pair ?? (() => rsa))() });
    expect(result.status).toBe(status);
    expect(result.code).toBe(code);
    if (typeof message === 'function') expect(result.message).toBe(message());
    else expect(result.message).toMatch(message);
    if (typeof hint === 'string') expect(result.hint).toBe(hint);
    else if (hint) expect(result.hint).toMatch(hint);
    if (evidence) expect(result.evidence).toMatchObject(evidence());
    if (status === 'fail') expect(result.output).toBeUndefined();
    else expect(result.output).toMatchObject(output ?? {});
  });

  it('does not apply without a signing key pair', async () => {
    const config = configWithJwks('http://127.0.0.1:9/org/jwks.json', { authMethod: 'client_secret_basic' });
    const result = await check.run(runContext(), { 'jwks.fetch': fetchedJwks([publishedOf(rsa, 'k')], config), 'signing.keypair': undefined });
    expect(result).toMatchObject({ status: 'skip', notApplicable: true, message: 'not applicable: client_secret_basic clients do not sign' });
  });
});

describe('jwks.signing-key with a pasted signing.kid', () => {
  it.each([
    ['a trailing CRLF', '\r\n', 'ends with a line break ("\\r\\n")'],
    ['a leading space', ' ', 'starts with a space'],
  ])('names %s, shows the kid escaped, and gives the registered one', async (_name, pasted, where) => {
    const kid = sandbox.kids.signing;
    const configured = pasted === ' ' ? ` ${kid}` : `${kid}${pasted}`;
    const config = configVariant(sandbox.configs['private_key_jwt-tls']!, { signing: { kid: configured } });
    const result = (await runOnline(config, sandboxEnv(sandbox), { only: ['jwks'] }))['jwks.signing-key']!;
    expect(result).toMatchObject({ status: 'fail', code: 'kid-mismatch' });
    expect(result.message).toBe(`signing.kid is ${JSON.stringify(configured)} (it ${where}), but the JWKS registers this signing key under kid "${kid}".`);
    expect(result.hint).toBe(
      `Remove the unseen characters from signing.kid where its value comes from (the variable, the env file: check quotes and CRLF line ends, or the config): without them it is "${kid}", the kid the JWKS registers this key under.`,
    );
    expect(result.message).not.toMatch(/[\r\n]/);
  });
});
