import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/token.response.js';
import { checkConfigs } from '../../src/check-run.js';
import { parseEnvFile } from '../../src/config/interpolate.js';
import type { IssuedToken } from '../../src/online/types.js';
import { parseTokenAnswer } from '../../src/oauth/token-response.js';
import { DEFAULT_OPTIONS } from '../../src/pipeline/context.js';
import type { CheckReport } from '../../src/report/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { issue } from '../support/credentials.js';
import { fixtureText } from '../support/fixtures.js';
import { runContext } from '../support/resolved-config.js';

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${segment({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })}.${segment({ sub: 'client-1', iat: 1_800_000_000, exp: 1_800_003_600, ...claims })}.c2lnbmF0dXJl`;
const OPAQUE = 'opaque-access-token-0123456789abcdef';

let transport: { cert: string; key: string };
let x5t: string;
let otherX5t: string;

beforeAll(async () => {
  const [mine, other] = await Promise.all([issue({ key: { kind: 'ec' } }), issue({ key: { kind: 'ec' }, subject: 'CN=interceptor' })]);
  transport = { cert: mine.certPem, key: mine.keyPem };
  const thumbprint = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
  x5t = thumbprint(mine.certPem);
  otherX5t = thumbprint(other.certPem);
});

function issued(overrides: Partial<IssuedToken> & { mtls?: boolean } = {}): IssuedToken {
  const { mtls = false, ...rest } = overrides;
  return {
    accessToken: jwt({}),
    tokenType: 'Bearer',
    expiresIn: 3600,
    requestedScopes: [],
    response: { token_type: 'Bearer', expires_in: 3600 },
    material: mtls ? { extraCa: [], clientCertificate: transport } : { extraCa: [] },
    serverDate: 'Sat, 28 Nov 2026 10:00:00 GMT',
    ...rest,
  };
}

/** The token a catalogue response (fixtures/documents/token/NAME) carries, read by the parser token.request uses. */
function documented(name: string, overrides: Partial<IssuedToken> = {}): IssuedToken {
  const answer = parseTokenAnswer(200, 'application/json', Buffer.from(fixtureText(`documents/token/${name}`)));
  if (answer.kind !== 'token') throw new Error(`documents/token/${name} is not a token response (${answer.kind})`);
  return issued({
    accessToken: answer.accessToken,
    tokenType: typeof answer.tokenType === 'string' ? answer.tokenType : undefined,
    expiresIn: answer.expiresIn,
    scope: typeof answer.scope === 'string' ? answer.scope : undefined,
    response: answer.members,
    ...overrides,
  });
}

describe('token.response', () => {
  it.each<[string, () => IssuedToken, 'pass' | 'warn' | 'fail', string | undefined, RegExp, RegExp?]>([
    ['a Bearer JWT for an hour', () => issued(), 'pass', undefined, /^Bearer JWT token, expires in 3600 s$/],
    ['token_type in lower case (bearer-lower-case.json)', () => documented('bearer-lower-case.json'), 'pass', undefined, /^bearer opaque token, expires in 3600 s/],
    ['no token_type (no-token-type.json)', () => documented('no-token-type.json'), 'fail', 'no-token-type', /^The token response has no token_type\.$/, /RFC 6749/],
    ['a DPoP token (token-type-dpop.json)', () => documented('token-type-dpop.json'), 'fail', 'not-bearer', /token_type is "DPoP", not Bearer/, /DPoP-bound/],
    ['a MAC token (token-type-mac.json)', () => documented('token-type-mac.json'), 'fail', 'not-bearer', /token_type is "mac", not Bearer/, /endpoints\.token/],
    ['no expires_in (no-expires-in.json)', () => documented('no-expires-in.json'), 'warn', 'no-expires-in', /has no expires_in/, /renew/i],
    ['expires_in as a string (expires-in-string.json)', () => documented('expires-in-string.json'), 'warn', 'expires-in-string', /expires_in is the string "3600"/],
    ['expires_in 0 (expires-in-zero.json)', () => documented('expires-in-zero.json'), 'fail', 'invalid-expires-in', /expires_in is 0, not a positive number/],
    ['a negative expires_in', () => issued({ expiresIn: -5 }), 'fail', 'invalid-expires-in', /expires_in is -5, not a positive number/],
    ['expires_in as words (expires-in-words.json)', () => documented('expires-in-words.json'), 'fail', 'invalid-expires-in', /expires_in is "one hour", not a positive number/],
    ['expires_in of a minute (expires-in-a-minute.json)', () => documented('expires-in-a-minute.json'), 'warn', 'unusual-expires-in', /expires_in is 60 s, far from the 3600 s .*renew very often/],
    ['expires_in of a week', () => issued({ expiresIn: 604_800 }), 'warn', 'unusual-expires-in', /expires_in is 604800 s, far from the 3600 s .*leaked token/],
    [
      'a requested scope not granted (missing-scope.json)',
      () => documented('missing-scope.json', { requestedScopes: ['cards:read', 'cards:write'] }),
      'fail',
      'missing-scopes',
      /^The token lacks requested scope "cards:write"; it grants "cards:read"\.$/,
      /granted to the client in the portal/,
    ],
    ['requested scopes granted in the JWT claim', () => issued({ accessToken: jwt({ scope: 'cards:read' }), requestedScopes: ['cards:read'] }), 'pass', undefined, /^Bearer JWT token/],
    [
      'requested scopes the response does not list',
      () => issued({ requestedScopes: ['cards:read'] }),
      'pass',
      undefined,
      /note: the response does not list the granted scopes; RFC 6749 §5.1 reads that as all requested scopes granted/,
    ],
    ['mTLS, bound to the transport certificate', () => issued({ mtls: true, accessToken: jwt({ cnf: { 'x5t#S256': x5t } }) }), 'pass', undefined, /, bound to the transport certificate$/],
    [
      'mTLS, bound to another certificate',
      () => issued({ mtls: true, accessToken: jwt({ cnf: { 'x5t#S256': otherX5t } }) }),
      'fail',
      'bound-to-other-certificate',
      /^The token is bound to certificate \S+ \(cnf\.x5t#S256\), not to the transport certificate \S+: the mTLS API will refuse it\.$/,
      /TLS-intercepting proxy/,
    ],
    ['mTLS, not bound', () => issued({ mtls: true }), 'warn', 'not-certificate-bound', /issued over mTLS but is not certificate-bound/, /certificate-bound tokens/],
    ['mTLS, opaque', () => issued({ mtls: true, accessToken: OPAQUE }), 'pass', undefined, /opaque token.*binding cannot be checked locally/],
    ['TLS, bound to a certificate not presented', () => issued({ accessToken: jwt({ cnf: { 'x5t#S256': x5t } }) }), 'warn', 'bound-without-client-certificate', /this config presents none/, /connectivity: mtls/],
    ['an opaque token (bearer.json)', () => documented('bearer.json'), 'pass', undefined, /^Bearer opaque token, expires in 3600 s; note: the access token is opaque \(not a JWT\)/],
    ['several problems at once: the failures lead', () => issued({ tokenType: 'mac', expiresIn: 60 }), 'fail', 'not-bearer', /^token_type is "mac", not Bearer[^.]*\.$/],
  ])('%s', async (_name, make, status, code, message, hint) => {
    const token = make();
    const result = await check.run(runContext(), { 'token.request': token });
    expect(result.status).toBe(status);
    expect(result.code).toBe(code);
    expect(result.message).toMatch(message);
    if (hint) expect(result.hint).toMatch(hint);
    if (status !== 'fail') expect(result.output?.token).toBe(token);
    expect(JSON.stringify(result.evidence)).not.toContain(token.accessToken);
  });

  it('lists every failure\'s code when several fail, the first leading, and the warnings they hide', async () => {
    const result = await check.run(runContext(), { 'token.request': issued({ tokenType: undefined, expiresIn: '3600', requestedScopes: ['cards:write'], scope: 'cards:read' }) });
    expect(result).toMatchObject({
      status: 'fail',
      code: 'no-token-type',
      message: 'The token response has no token_type. The token lacks requested scope "cards:write"; it grants "cards:read".',
      evidence: { codes: ['no-token-type', 'missing-scopes'], warnings: ['expires_in is the string "3600" rather than a JSON number.'] },
    });
  });

  it('shows a JWT access token\'s header and claims, never the token', async () => {
    const token = issued({ mtls: true, accessToken: jwt({ client_id: 'client-1', cnf: { 'x5t#S256': x5t } }) });
    const result = await check.run(runContext(), { 'token.request': token });
    expect(result.evidence).toMatchObject({
      accessToken: {
        format: 'JWT',
        header: { alg: 'ES256', typ: 'at+jwt', kid: 'k1' },
        claims: { sub: 'client-1', client_id: 'client-1', cnf: { 'x5t#S256': x5t } },
        expiresAt: '2027-01-15T09:00:00.000Z',
      },
      transportCertificateX5tS256: x5t,
      boundTo: x5t,
      bindingMatches: true,
    });
    expect(result.output?.claims).toMatchObject({ client_id: 'client-1' });
    // The report sees message, hint and evidence; `output` stays in memory for the checks that need it.
    expect(JSON.stringify([result.message, result.hint, result.evidence])).not.toContain('c2lnbmF0dXJl');
  });
});

describe('token.response against the sandbox', () => {
  let sandbox: Sandbox;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    sandbox = await startSandbox({ quiet: true });
    env = { ...process.env, ...parseEnvFile(await readFile(sandbox.envFile, 'utf8')) };
  });
  afterAll(() => sandbox?.close());

  async function run(config: string): Promise<Record<string, CheckReport>> {
    const { report } = await checkConfigs({ configs: [config], options: { ...DEFAULT_OPTIONS, only: ['token'] }, env });
    return Object.fromEntries(report.runs[0]!.checks.map((entry) => [entry.id, entry]));
  }

  it.each(Object.entries({
    'client_secret_post-tls': 'tls',
    'client_secret_basic-tls': 'tls',
    'private_key_jwt-tls': 'tls',
    'private_key_jwt-es256-tls': 'tls',
    'client_secret_post-mtls': 'mtls',
    'client_secret_basic-mtls': 'mtls',
    'private_key_jwt-mtls': 'mtls',
  }))('%s: a Bearer JWT for an hour, its claims shown', async (name, connectivity) => {
    const checks = await run(sandbox.configs[name]!);
    const result = checks['token.response']!;
    expect(result.status, result.message).toBe('pass');
    const client = sandbox.clients[name.replace('-es256', '') as keyof Sandbox['clients']];
    expect(result.evidence).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 3600,
      accessToken: { format: 'JWT', header: { typ: 'at+jwt', alg: 'ES256' }, claims: { client_id: client, exp: expect.any(Number) } },
    });
    if (connectivity === 'mtls') {
      const expected = createHash('sha256').update(new X509Certificate(readFileSync(sandbox.files.transportCert)).raw).digest('base64url');
      expect(result.evidence).toMatchObject({ transportCertificateX5tS256: expected, boundTo: expected, bindingMatches: true });
      expect(result.message).toMatch(/bound to the transport certificate$/);
    } else {
      expect(result.evidence).not.toHaveProperty('boundTo');
    }
  });

  it('requested scopes the platform does not list: a note, not a failure', async () => {
    const doc = parse(readFileSync(sandbox.configs['client_secret_post-tls']!, 'utf8')) as Record<string, any>;
    doc.client.scopes = ['cards:read'];
    const file = path.join(sandbox.dir, 'with-scopes.yaml');
    writeFileSync(file, stringify(doc));
    const checks = await run(file);
    expect(checks['token.request']!.evidence).toMatchObject({ requestedScopes: ['cards:read'] });
    expect(checks['token.response']).toMatchObject({ status: 'pass', evidence: { requestedScopes: ['cards:read'], grantedScopes: null } });
  });
});
