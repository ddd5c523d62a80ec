import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/jwks.transport-key.js';
import type { KeyPair } from '../../src/credentials/types.js';
import type { PublishedJwk } from '../../src/online/types.js';
import type { Settled } from '../../src/pipeline/check.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { credentialsDir, daysFromNow, issue, writeCredential } from '../support/credentials.js';
import { checkSandboxJwks, configWithJwks, fetchedJwks, keyPairOf, publishedOf } from '../support/jwks-fixtures.js';
import { configVariant, runOnline, sandboxEnv } from '../support/online.js';
import { runContext } from '../support/resolved-config.js';

let sandbox: Sandbox;
const dir = credentialsDir();
/** A transport pair, the same key under a renewed certificate and under an expired one, and a signing pair. */
let transport: KeyPair;
let renewed: KeyPair;
let expired: KeyPair;
let signing: KeyPair;

beforeAll(async () => {
  const startedSandbox = startSandbox({ quiet: true });
  const [transportIssued, signingIssued] = await Promise.all([
    issue({ key: { kind: 'rsa' }, extKeyUsage: ['clientAuth'], subject: 'CN=transport' }),
    issue({ key: { kind: 'ec' }, subject: 'CN=signing' }),
  ]);
  const [renewedIssued, expiredIssued] = await Promise.all([
    issue({ keys: transportIssued.keys, extKeyUsage: ['clientAuth'], subject: 'CN=transport renewed' }),
    issue({ keys: transportIssued.keys, extKeyUsage: ['clientAuth'], subject: 'CN=transport expired', notBefore: daysFromNow(-400), notAfter: daysFromNow(-35) }),
  ]);
  const write = (name: string, issued: typeof transportIssued) =>
    keyPairOf(writeCredential(dir, `${name}.pem`, issued.certPem), writeCredential(dir, `${name}.key`, issued.keyPem));
  [transport, renewed, expired, signing, sandbox] = await Promise.all([
    write('transport', transportIssued),
    write('renewed', renewedIssued),
    write('expired', expiredIssued),
    write('signing', signingIssued),
    startedSandbox,
  ]);
});

afterAll(async () => {
  await sandbox?.close();
});

describe('jwks.transport-key against the sandbox', () => {
  it.each(['private_key_jwt-mtls', 'client_secret_post-mtls', 'client_secret_basic-mtls'])(
    'passes for %s with the kid the sandbox publishes it under (use tls)',
    async (name) => {
      const result = (await checkSandboxJwks(sandbox, name))['jwks.transport-key']!;
      expect(result.status).toBe('pass');
      expect(result.message).toMatch(
        new RegExp(`^The transport certificate is registered under kid "${sandbox.kids.transport}" \\(use tls\\), matched by key material \\(RFC 7638 thumbprint [\\w-]{43}\\)\\.$`),
      );
      expect(result.evidence).toMatchObject({ kid: sandbox.kids.transport, use: 'tls', matchedBy: 'thumbprint' });
    },
  );

  it.each(['private_key_jwt-tls', 'client_secret_post-tls'])('does not apply to %s', async (name) => {
    const result = (await checkSandboxJwks(sandbox, name))['jwks.transport-key']!;
    expect(result).toMatchObject({ status: 'skip', message: 'not applicable: TLS connectivity presents no client certificate' });
  });

  it('still passes when the signing key is missing from the JWKS (key-not-in-jwks)', async () => {
    sandbox.setFaults(['key-not-in-jwks']);
    try {
      const results = await checkSandboxJwks(sandbox, 'private_key_jwt-mtls');
      expect(results['jwks.signing-key']!.status).toBe('fail');
      expect(results['jwks.transport-key']).toMatchObject({ status: 'pass', evidence: { kid: sandbox.kids.transport } });
    } finally {
      sandbox.setFaults([]);
    }
  });
});

/**
 * A JWKS host on 127.0.0.1 serving the sandbox's key set with the transport
 * certificate published under another `use`: Thredd's documentation does not
 * say which `use` a transport certificate is published with.
 */
describe('jwks.transport-key with the transport certificate published under another use', () => {
  let server: Server;
  let url = '';
  let use: string | undefined;

  beforeAll(async () => {
    const published = (await (await fetch(sandbox.endpoints.jwks)).json()) as { keys: PublishedJwk[] };
    server = createServer((_req, res) => {
      const keys = published.keys.map((key) => {
        if (key.kid !== sandbox.kids.transport) return key;
        const { use: _tls, ...rest } = key;
        return use === undefined ? rest : { ...rest, use };
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/org/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['use sig', 'sig', 'use sig'],
    ['no use', undefined, 'use not set'],
  ])('passes a separate, registered transport key published with %s, reporting the use as a fact', async (_name, published, shown) => {
    use = published;
    const config = configVariant(sandbox.configs['private_key_jwt-mtls']!, { endpoints: { jwks: url } });
    const results = await runOnline(config, sandboxEnv(sandbox), { only: ['jwks'] });
    expect(results['jwks.signing-key']!.status).toBe('pass');
    const result = results['jwks.transport-key']!;
    expect(result.status, result.message).toBe('pass');
    expect(result.message).toMatch(new RegExp(`^The transport certificate is registered under kid "${sandbox.kids.transport}" \\(${shown}\\), matched by key material`));
    expect(result.evidence).toMatchObject({ kid: sandbox.kids.transport, use: published, matchedBy: 'thumbprint' });
  });
});

interface Scenario {
  name: string;
  pair?: () => KeyPair;
  /** The config's signing key pair (default: a key of its own); undefined for a client that does not sign. */
  signingPair?: () => KeyPair | undefined;
  keys: () => PublishedJwk[];
  status: 'pass' | 'warn';
  code?: string;
  message: RegExp | (() => string);
  hint?: RegExp;
  output?: Record<string, unknown>;
  evidence?: () => Record<string, unknown>;
}

const NO_SIGNING: Settled<KeyPair | undefined> = { status: 'skip', skipReason: 'not-applicable', output: undefined };

const scenarios: Scenario[] = [
  {
    name: 'the certificate registered with use tls',
    keys: () => [publishedOf(signing, 'sig-1'), publishedOf(transport, 'tls-1', 'tls')],
    status: 'pass',
    message: /^The transport certificate is registered under kid "tls-1" \(use tls\), matched by key material/,
    output: { kid: 'tls-1', use: 'tls', matchedBy: 'thumbprint' },
  },
  {
    name: 'the tls registration over a sig one for the same key',
    keys: () => [publishedOf(transport, 'as-sig', 'sig'), publishedOf(transport, 'as-tls', 'tls')],
    status: 'pass',
    message: /under kid "as-tls"/,
    output: { kid: 'as-tls' },
  },
  {
    name: 'a JWKS without the transport certificate',
    keys: () => [publishedOf(signing, 'sig-1'), publishedOf(signing, 'sig-2')],
    status: 'warn',
    code: 'key-not-registered',
    message: () =>
      `The transport certificate (x5t#S256 ${transport.certificate.facts.x5tS256}, key thumbprint ${transport.key.facts.thumbprint}) is not in the JWKS; it holds kids "sig-1", "sig-2".`,
    hint: /^Some platforms do not publish transport certificates, so this can be expected/,
  },
  {
    name: 'a separate transport key published with use sig: the use is a fact, not a fault',
    keys: () => [publishedOf(signing, 'sig-1'), publishedOf(transport, 'sig-only', 'sig')],
    status: 'pass',
    message: /^The transport certificate is registered under kid "sig-only" \(use sig\), matched by key material/,
    output: { kid: 'sig-only', use: 'sig' },
    evidence: () => ({ kid: 'sig-only', use: 'sig' }),
  },
  {
    name: 'the transport key is the signing key',
    signingPair: () => transport,
    keys: () => [publishedOf(transport, 'shared', 'sig')],
    status: 'warn',
    code: 'transport-key-is-signing-key',
    message: () =>
      `transport.privateKey holds the same key as signing.privateKey (key thumbprint ${transport.key.facts.thumbprint}); the JWKS registers it under kid "shared" (use sig).`,
    hint: /^Use a separate key for the transport certificate/,
    output: { kid: 'shared' },
    evidence: () => ({ kid: 'shared', use: 'sig', signingThumbprint: transport.key.facts.thumbprint }),
  },
  {
    name: 'the transport key is the signing key, and not registered',
    signingPair: () => transport,
    keys: () => [publishedOf(signing, 'sig-1')],
    status: 'warn',
    code: 'transport-key-is-signing-key',
    message: () =>
      `transport.privateKey holds the same key as signing.privateKey (key thumbprint ${transport.key.facts.thumbprint}). The transport certificate (x5t#S256 ${transport.certificate.facts.x5tS256}, key thumbprint ${transport.key.facts.thumbprint}) is not in the JWKS; it holds kid "sig-1".`,
    hint: /^Use a separate key for the transport certificate.* Some platforms do not publish transport certificates/,
    evidence: () => ({ codes: ['transport-key-is-signing-key', 'key-not-registered'] }),
  },
  {
    name: 'no signing key to compare with (a client_secret_* client): the registration alone',
    signingPair: () => undefined,
    keys: () => [publishedOf(transport, 'tls-1', 'tls')],
    status: 'pass',
    message: /^The transport certificate is registered under kid "tls-1" \(use tls\)/,
    output: { kid: 'tls-1' },
  },
  {
    name: 'the key registered with the certificate before renewal',
    pair: () => renewed,
    keys: () => [publishedOf(transport, 'old-cert', 'tls')],
    status: 'warn',
    code: 'certificate-differs',
    message: () =>
      `The JWKS registers this transport key (kid "old-cert") with another certificate: registered SHA-256 ${transport.certificate.facts.fingerprintSha256}, local transport.certificate SHA-256 ${renewed.certificate.facts.fingerprintSha256}.`,
    hint: /^mTLS compares certificates, not keys/,
    output: { kid: 'old-cert' },
  },
  {
    name: 'the key registered with an expired certificate',
    keys: () => [publishedOf(expired, 'expired-cert', 'tls')],
    status: 'warn',
    code: 'registered-certificate-expired',
    message: () =>
      `The JWKS registers this transport key (kid "expired-cert") with another certificate: registered SHA-256 ${expired.certificate.facts.fingerprintSha256}, expired ${expired.certificate.facts.notAfter.slice(0, 10)}, local transport.certificate SHA-256 ${transport.certificate.facts.fingerprintSha256}.`,
    hint: /^mTLS compares certificates, not keys/,
    output: { kid: 'expired-cert' },
    evidence: () => ({
      kid: 'expired-cert',
      use: 'tls',
      registeredCertificateExpired: true,
      registeredCertificate: { x5tS256: expired.certificate.facts.x5tS256, notAfter: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    }),
  },
  {
    name: 'an expired certificate published with use sig: the expiry is the finding',
    keys: () => [publishedOf(expired, 'old-sig', 'sig')],
    status: 'warn',
    code: 'registered-certificate-expired',
    message: /^The JWKS registers this transport key \(kid "old-sig"\) with another certificate: .*, expired \d{4}-\d\d-\d\d, local transport\.certificate SHA-256 [0-9A-F:]+\.$/,
    hint: /^mTLS compares certificates, not keys/,
    output: { kid: 'old-sig' },
    evidence: () => ({ use: 'sig', registeredCertificateExpired: true }),
  },
];

describe('jwks.transport-key on crafted key sets', () => {
  it.each(scenarios)('$status: $name', async ({ pair, signingPair, keys, status, code, message, hint, output, evidence }) => {
    const config = configWithJwks('http://127.0.0.1:9/org/jwks.json', { connectivity: 'mtls' });
    const signingKeypair = (signingPair ?? (() => signing))();
    const result = await check.run(
      runContext(),
      { 'jwks.fetch': fetchedJwks(keys(), config), 'transport.keypair': (pair ?? (() => transport))() },
      { 'signing.keypair': signingKeypair === undefined ? { status: 'skip', skipReason: 'not-applicable', output: undefined } : { status: 'pass', output: signingKeypair } },
    );
    expect(result.status).toBe(status);
    expect(result.code).toBe(code);
    if (typeof message === 'function') expect(result.message).toBe(message());
    else expect(result.message).toMatch(message);
    if (hint) expect(result.hint).toMatch(hint);
    if (evidence) expect(result.evidence).toMatchObject(evidence());
    if (output) expect(result.output).toMatchObject(output);
    else expect(result.output).toBeUndefined();
  });

  it('does not apply without a transport key pair', async () => {
    const result = await check.run(runContext(), { 'jwks.fetch': fetchedJwks([]), 'transport.keypair': undefined }, { 'signing.keypair': NO_SIGNING });
    expect(result).toMatchObject({ status: 'skip', notApplicable: true });
  });
});
