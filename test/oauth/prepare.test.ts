import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../src/credentials/types.js';
import type { RegisteredKey } from '../../src/online/types.js';
import { assertionKid, prepareCredentials, type CredentialInput } from '../../src/oauth/prepare.js';
import type { Settled } from '../../src/pipeline/check.js';
import { credentialsDir, issue, writeCredential } from '../support/credentials.js';
import { keyPairOf } from '../support/jwks-fixtures.js';
import { resolvedConfig } from '../support/resolved-config.js';

const TOKEN_URL = 'https://threddid.com/oauth2/token';
const NOW = Date.parse('2026-12-02T09:00:00Z');
const REGISTERED: RegisteredKey = { kid: 'kid-registered', use: 'sig', matchedBy: 'thumbprint', jwk: { kty: 'RSA', kid: 'kid-registered' } };
const passed: Settled<RegisteredKey | undefined> = { status: 'pass', output: REGISTERED };

const dir = credentialsDir('golive-prepare-');
/** An RSA signing pair, and the same key beside another key's certificate (what signing.keypair would refuse). */
let rsa: KeyPair;
let mismatched: KeyPair;

beforeAll(async () => {
  const [rsaIssued, otherIssued] = await Promise.all([issue({ key: { kind: 'rsa' } }), issue({ key: { kind: 'rsa' }, subject: 'CN=someone else' })]);
  const [own, other] = await Promise.all([
    keyPairOf(writeCredential(dir, 'rsa.pem', rsaIssued.certPem), writeCredential(dir, 'rsa.key', rsaIssued.keyPem)),
    keyPairOf(writeCredential(dir, 'other.pem', otherIssued.certPem), writeCredential(dir, 'other.key', otherIssued.keyPem)),
  ]);
  rsa = own;
  mismatched = { key: own.key, certificate: other.certificate };
});

function jwtInput(overrides: Partial<CredentialInput> & { algorithm?: string; kid?: string } = {}): CredentialInput {
  const { algorithm = 'PS256', kid, ...rest } = overrides;
  const config = resolvedConfig(dir, { signing: { algorithm } });
  return {
    config: { ...config, signing: { ...config.signing!, ...(kid !== undefined && { kid }) } },
    keyPair: rsa,
    url: TOKEN_URL,
    registered: passed,
    now: NOW,
    ...rest,
  };
}

describe('assertionKid: signing.kid, else the kid jwks.signing-key found', () => {
  const none = (reason: string) => ({ source: `none: signing.kid is unset and ${reason}, so no kid is sent` });

  it.each<[string, string | undefined, Settled<RegisteredKey | undefined>, { kid?: string; source: string }]>([
    ['signing.kid set: used whatever the JWKS says', 'kid-configured', { status: 'fail', code: 'kid-mismatch', output: undefined }, { kid: 'kid-configured', source: 'signing.kid' }],
    ['registered', undefined, passed, { kid: 'kid-registered', source: 'the kid the organisation JWKS registers this key under (signing.kid is unset)' }],
    ['an empty signing.kid counts as unset', '', passed, { kid: 'kid-registered', source: 'the kid the organisation JWKS registers this key under (signing.kid is unset)' }],
    ['registered, with a warning', undefined, { status: 'warn', code: 'alg-mismatch', output: REGISTERED }, { kid: 'kid-registered', source: 'the kid the organisation JWKS registers this key under (signing.kid is unset)' }],
    ['registered without a kid', undefined, { status: 'warn', code: 'no-kid', output: { ...REGISTERED, kid: undefined } }, none('the JWKS registers this key without a kid')],
    ['not registered', undefined, { status: 'fail', code: 'key-not-registered', output: undefined }, none('jwks.signing-key failed (key-not-registered)')],
    ['jwks.signing-key skipped (the JWKS could not be fetched)', undefined, { status: 'skip', output: undefined }, none('jwks.signing-key was skipped')],
  ])('%s', (_name, configured, registered, expected) => {
    expect(assertionKid(configured, registered)).toEqual(expected);
  });
});

describe('prepareCredentials', () => {
  it('a secret client: the secret, and only facts about it in the evidence', async () => {
    const base = resolvedConfig(dir, { authMethod: 'client_secret_post' });
    const prepared = await prepareCredentials({ ...jwtInput(), config: { ...base, client: { ...base.client, secret: ' s3cret' } }, keyPair: undefined });
    expect(prepared).toEqual({
      ok: true,
      credentials: { method: 'client_secret_post', clientId: base.client.id, secret: ' s3cret' },
      evidence: { secret: { length: 7, surroundingWhitespace: true, unseen: 'starts with a space' } },
    });
  });

  it('private_key_jwt: an assertion with the registered kid, read back before it is sent', async () => {
    const prepared = await prepareCredentials(jwtInput());
    if (!prepared.ok) throw new Error(prepared.outcome.message);
    expect(prepared.credentials).toMatchObject({ method: 'private_key_jwt', assertion: expect.stringMatching(/^eyJ/) });
    expect(prepared.evidence).toMatchObject({
      assertion: {
        header: { alg: 'PS256', kid: 'kid-registered' },
        claims: { aud: TOKEN_URL },
        lifetimeSeconds: 120,
        kidSource: 'the kid the organisation JWKS registers this key under (signing.kid is unset)',
        audienceSource: 'the token endpoint URL',
        selfCheck: expect.stringMatching(/^passed/),
      },
    });
    const { assertion } = prepared.credentials as { assertion: string };
    expect(JSON.stringify(prepared.evidence)).not.toContain(assertion);
  });

  it.each<[string, () => Promise<CredentialInput>, Record<string, unknown>]>([
    [
      'empty-secret',
      async () => {
        const base = resolvedConfig(dir, { authMethod: 'client_secret_basic' });
        return { ...jwtInput(), config: { ...base, client: { ...base.client, secret: '' } }, keyPair: undefined };
      },
      {
        message: 'client.secret is empty, so a client_secret_basic client cannot authenticate.',
        hint: 'Set the variable client.secret names (e.g. THREDD_CLIENT_SECRET) to the secret the portal shows for this client.',
        evidence: { authMethod: 'client_secret_basic' },
      },
    ],
    [
      'no-signing-key',
      async () => jwtInput({ keyPair: undefined }),
      { message: 'private_key_jwt needs a signing key and certificate, and none was loaded.', hint: expect.stringMatching(/^Add the signing section/), evidence: { authMethod: 'private_key_jwt' } },
    ],
    [
      'assertion-not-signed',
      async () => jwtInput({ algorithm: 'ES256' }),
      {
        message: expect.stringMatching(/^golive could not sign the client assertion with ES256 and the signing key: .* \(ERR_\w+\)\.$/),
        hint: expect.stringMatching(/^Set signing\.algorithm to one that fits the key type/),
        evidence: { authMethod: 'private_key_jwt', algorithm: 'ES256', code: expect.stringMatching(/^ERR_/) },
      },
    ],
    [
      'assertion-self-check-failed',
      async () => jwtInput({ keyPair: mismatched, kid: 'kid-configured' }),
      {
        message: expect.stringMatching(/^The client assertion golive built fails its own check, so it was not sent: the signature does not verify with the signing certificate's public key/),
        hint: expect.stringMatching(/^If the signature does not verify, signing\.certificate is not the certificate of signing\.privateKey/),
        evidence: {
          authMethod: 'private_key_jwt',
          assertion: { header: { alg: 'PS256', kid: 'kid-configured' }, kidSource: 'signing.kid' },
          selfCheck: [{ code: 'signature', detail: expect.any(String) }],
        },
      },
    ],
  ])('%s: fails before anything is sent', async (code, input, expected) => {
    const prepared = await prepareCredentials(await input());
    expect(prepared.ok).toBe(false);
    if (prepared.ok) return;
    expect(prepared.outcome).toMatchObject({ status: 'fail', code, ...expected });
    // A signed assertion that is not sent is still a credential: the report must redact it.
    if (code === 'assertion-self-check-failed') expect(prepared.outcome.secrets).toEqual([expect.stringMatching(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/)]);
  });
});
