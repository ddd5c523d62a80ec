import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { checkConfigs } from '../../src/check-run.js';
import { parseEnvFile } from '../../src/config/interpolate.js';
import { createHttpSession, type HttpSession } from '../../src/net/http.js';
import { DEFAULT_OPTIONS, type RunContext, type RunOptions } from '../../src/pipeline/context.js';
import { runCheckGraph } from '../../src/pipeline/runner.js';
import { Redactor } from '../../src/redact.js';
import type { CheckReport } from '../../src/report/types.js';
import { DOCUMENTED_AUDIENCE } from '../../src/sandbox/faults.js';
import { startSandbox, type FaultName, type Sandbox } from '../../src/sandbox/index.js';
import { loadOrCreateMaterial, writeSecretFile, type Material } from '../../src/sandbox/material.js';
import { expectFindingFields } from '../support/report-invariants.js';
import { tempDir } from '../support/config-files.js';

/** Every character RFC 6749 §2.3.1 makes client_secret_basic encode, within what oidc-provider accepts (printable ASCII). */
const AWKWARD_SECRET = 'S3:cr+t%41 with/odd=&chars~!';

const dir = tempDir('golive-token-request-');
let sandbox: Sandbox;
let material: Material;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  // The sandbox reuses the material kept in its folder: give it a secret that needs form-url-encoding.
  material = { ...(await loadOrCreateMaterial(dir)), clientSecret: AWKWARD_SECRET };
  await writeSecretFile(path.join(dir, '.sandbox', 'material.json'), JSON.stringify(material));
  sandbox = await startSandbox({ dir, quiet: true });
  env = { ...process.env, ...parseEnvFile(await readFile(sandbox.envFile, 'utf8')) };
});
afterAll(() => sandbox?.close());
afterEach(() => sandbox.setFaults([]));

type Checks = Record<string, CheckReport>;

async function run(config: string, options: Partial<RunOptions> = {}, variables = env): Promise<Checks> {
  const { report } = await checkConfigs({ configs: [config], options: { ...DEFAULT_OPTIONS, only: ['token'], ...options }, env: variables });
  expectFindingFields(report);
  return Object.fromEntries(report.runs[0]!.checks.map((check) => [check.id, check]));
}

let variants = 0;
/** A copy of a sandbox config, edited; written beside it so its relative paths still resolve. */
function variant(name: string, edit: (doc: Record<string, any>) => void): string {
  const doc = parse(readFileSync(sandbox.configs[name]!, 'utf8')) as Record<string, any>;
  edit(doc);
  const file = path.join(sandbox.dir, `variant-${++variants}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

/** Records what went over the wire: the URLs asked for, and the values that must not appear in the report. */
function recording(): { http: HttpSession; urls: string[]; bodies: string[]; answers: string[]; headers: string[] } {
  const inner = createHttpSession(env);
  const seen = { urls: [] as string[], bodies: [] as string[], answers: [] as string[], headers: [] as string[] };
  return {
    ...seen,
    http: {
      async request(request) {
        seen.urls.push(request.url);
        if (request.body) seen.bodies.push(request.body);
        if (request.headers?.authorization) seen.headers.push(request.headers.authorization);
        const response = await inner.request(request);
        seen.answers.push(response.body.toString('utf8'));
        return response;
      },
      probe: (target, options) => inner.probe(target, options),
      close: () => inner.close(),
    },
  };
}

/** Runs the registry on one config through `http`, as checkConfigs would. */
async function runThrough(http: HttpSession, config: string, options: Partial<RunOptions>): Promise<CheckReport[]> {
  const ctx: RunContext = { configPath: config, env, options: { ...DEFAULT_OPTIONS, ...options }, now: Date.now, http };
  const { results } = await runCheckGraph({ checks: CHECKS, context: ctx, redactor: new Redactor() }).finally(() => http.close());
  return results;
}

const CONFIGS = [
  ['client_secret_post-tls', 'client_secret_post', 'tls'],
  ['client_secret_basic-tls', 'client_secret_basic', 'tls'],
  ['private_key_jwt-tls', 'private_key_jwt', 'tls'],
  ['private_key_jwt-es256-tls', 'private_key_jwt', 'tls'],
  ['client_secret_post-mtls', 'client_secret_post', 'mtls'],
  ['client_secret_basic-mtls', 'client_secret_basic', 'mtls'],
  ['private_key_jwt-mtls', 'private_key_jwt', 'mtls'],
] as const;

describe('token.request against the sandbox', () => {
  it.each(CONFIGS)('%s: a token is issued', async (name, authMethod, connectivity) => {
    const checks = await run(sandbox.configs[name]!);
    const check = checks['token.request']!;
    expect(check.status, check.message).toBe('pass');
    expect(check.message).toMatch(new RegExp(`^${authMethod} .* over ${connectivity === 'mtls' ? 'mTLS' : 'TLS'}: HTTP 200`));
    const url = connectivity === 'mtls' ? sandbox.endpoints.tokenMtls : sandbox.endpoints.token;
    expect(check.evidence).toMatchObject({
      method: 'POST',
      url,
      authMethod,
      connectivity,
      clientCertificate: connectivity === 'mtls',
      status: 200,
      tokenType: 'Bearer',
      expiresIn: 3600,
      serverDate: expect.stringMatching(/GMT$/),
      timings: { totalMs: expect.any(Number) },
    });
    const evidence = check.evidence as Record<string, any>;
    if (authMethod === 'private_key_jwt') {
      const es = name.includes('es256');
      const clientId = sandbox.clients[`private_key_jwt-${connectivity}`];
      expect(evidence.assertion.header).toEqual({ alg: es ? 'ES256' : 'PS256', kid: es ? sandbox.kids.signingEs256 : sandbox.kids.signing });
      expect(evidence.assertion.claims).toMatchObject({ iss: clientId, sub: clientId, aud: url, jti: expect.any(String) });
      expect(evidence.assertion.claims.exp - evidence.assertion.claims.iat).toBeLessThanOrEqual(300);
      expect(evidence.sent.fields).toEqual(['grant_type', 'client_id', 'client_assertion_type', 'client_assertion']);
    } else {
      expect(evidence).not.toHaveProperty('assertion');
      expect(evidence.secret).toEqual({ length: AWKWARD_SECRET.length, surroundingWhitespace: false });
      expect(evidence.sent.fields).toEqual(authMethod === 'client_secret_post' ? ['grant_type', 'client_id', 'client_secret'] : ['grant_type']);
    }
    expect(checks['token.response']!.status).toBe('pass');
  });

  it('sends the kid the JWKS registers the key under when signing.kid is unset, and says so', async () => {
    const config = variant('private_key_jwt-tls', (doc) => delete doc.signing.kid);
    const check = (await run(config))['token.request']!;
    expect(check.status, check.message).toBe('pass');
    expect(check.evidence).toMatchObject({
      assertion: { header: { alg: 'PS256', kid: sandbox.kids.signing }, kidSource: expect.stringMatching(/^the kid the organisation JWKS registers/) },
    });
  });

  it('takes that kid from jwks.signing-key: a whole run fetches the JWKS once', async () => {
    const config = variant('private_key_jwt-tls', (doc) => delete doc.signing.kid);
    const wire = recording();
    const results = await runThrough(wire.http, config, {});
    const checks = Object.fromEntries(results.map((check) => [check.id, check]));
    expect(checks['jwks.signing-key']!.status, checks['jwks.signing-key']!.message).toBe('pass');
    expect(checks['token.request']!.status, checks['token.request']!.message).toBe('pass');
    expect((checks['token.request']!.evidence as any).assertion.header).toEqual({ alg: 'PS256', kid: sandbox.kids.signing });
    expect(wire.urls.filter((url) => url === sandbox.endpoints.jwks)).toHaveLength(1);
  });

  it('signs without a kid when signing.kid is unset and the JWKS does not hold the key, and says so', async () => {
    sandbox.setFaults(['key-not-in-jwks']);
    try {
      const config = variant('private_key_jwt-tls', (doc) => delete doc.signing.kid);
      const checks = await run(config);
      const check = checks['token.request']!;
      expect(checks['jwks.signing-key']).toMatchObject({ status: 'fail', code: 'key-not-registered' });
      expect(check).toMatchObject({ status: 'fail', code: 'oauth-invalid-client' });
      expect(check.evidence).toMatchObject({
        assertion: { kidSource: 'none: signing.kid is unset and jwks.signing-key failed (key-not-registered), so no kid is sent' },
      });
      expect(check.message).toMatch(/no kid was sent/);
      expect((check.evidence as any).assertion.header).not.toHaveProperty('kid');
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('sends signing.audience as aud when set', async () => {
    sandbox.setFaults(['audience-mismatch']);
    const config = variant('private_key_jwt-tls', (doc) => (doc.signing.audience = DOCUMENTED_AUDIENCE));
    const check = (await run(config))['token.request']!;
    expect(check.status, check.message).toBe('pass');
    expect(check.evidence).toMatchObject({ assertion: { claims: { aud: DOCUMENTED_AUDIENCE }, audienceSource: 'signing.audience' } });
  });
});

describe('token.request explains each refusal', () => {
  const kidOf = (name: string) => (name.includes('es256') ? () => sandbox.kids.signingEs256 : () => sandbox.kids.signing);

  it.each<[string, FaultName[], string, (checks: Checks) => void]>([
    [
      'audience-mismatch: jwks.signing-key found the key under the kid sent, so the aud leads',
      ['audience-mismatch'],
      'private_key_jwt-tls',
      (checks) => {
        const check = checks['token.request']!;
        expect(checks['jwks.signing-key']!.status).toBe('pass');
        expect(check).toMatchObject({ status: 'fail', code: 'oauth-invalid-client' });
        expect(check.message).toContain('invalid_client');
        expect(check.message).toContain(`and the organisation JWKS registers the signing key under the kid sent ("${sandbox.kids.signing}"): most likely the platform expects another aud`);
        expect(check.message).toContain(`aud sent "${sandbox.endpoints.token}", posted to "${sandbox.endpoints.token}"`);
        expect(check.message).not.toMatch(/does not hold this signing key/);
        expect(check.hint).toMatch(/^Set signing\.audience to the aud the platform expects \(Thredd's documentation writes "www\.threddid\.com\/oauth2\/token"\)/);
        expect(check.hint).not.toContain('jwks.signing-key');
        expect((check.evidence as any).causesConsidered).toContainEqual({ cause: 'kid', verdict: 'ruled out', detail: expect.stringContaining(sandbox.kids.signing) });
      },
    ],
    [
      'key-not-in-jwks: jwks.signing-key failed, so the missing key leads',
      ['key-not-in-jwks'],
      'private_key_jwt-tls',
      (checks) => {
        const check = checks['token.request']!;
        expect(checks['jwks.signing-key']).toMatchObject({ status: 'fail', code: 'key-not-registered' });
        expect(check).toMatchObject({ status: 'fail', code: 'oauth-invalid-client' });
        expect(check.message).toContain(
          `The token endpoint refused the client assertion (invalid_client: "client authentication failed"): the organisation JWKS does not hold this signing key (jwks.signing-key: key-not-registered), so the platform has no key to verify the assertion with`,
        );
        expect(check.hint).toMatch(/^Register the signing certificate in the portal .*see jwks\.signing-key in this report\.$/);
        expect((check.evidence as any).causesConsidered).toContainEqual({ cause: 'kid', verdict: 'likely', detail: expect.stringContaining('key-not-registered') });
      },
    ],
    [
      'kid-mismatch (ES256): the kid sent is not the registered one',
      ['kid-mismatch'],
      'private_key_jwt-es256-tls',
      (checks) => {
        const check = checks['token.request']!;
        expect(checks['jwks.signing-key']).toMatchObject({ status: 'fail', code: 'kid-mismatch' });
        expect(check).toMatchObject({ status: 'fail', code: 'oauth-invalid-client' });
        expect(check.message).toContain(`kid "${sandbox.kids.signingEs256}" was sent, but the organisation JWKS registers this signing key under another kid (jwks.signing-key: kid-mismatch)`);
        expect(check.hint).toMatch(/^Set signing\.kid to the kid jwks\.signing-key reports for this key/);
        expect((check.evidence as any).assertion.header).toEqual({ alg: 'ES256', kid: sandbox.kids.signingEs256 });
      },
    ],
    [
      'clock-offset: the server clock 600 s ahead, pointing at clock.skew, which ran',
      ['clock-offset'],
      'private_key_jwt-mtls',
      (checks) => {
        const check = checks['token.request']!;
        expect(checks['clock.skew']).toMatchObject({ status: 'fail', code: 'clock-skew-too-large' });
        expect(check).toMatchObject({ status: 'fail', code: 'oauth-invalid-client' });
        expect(check.message).toMatch(/the token host's clock is (59\d|60[01]) s ahead of this machine's, more than the lifetime of the assertion golive sent \(120 s\): by the server's clock the assertion had expired before it arrived/);
        expect(check.hint).toMatch(/NTP.*see clock\.skew in this report\.$/);
        expect((check.evidence as any).clockSkewMs).toBeLessThan(-595_000);
      },
    ],
    [
      'clock-offset does not stop a secret client',
      ['clock-offset'],
      'client_secret_post-tls',
      (checks) => expect(checks['token.request']!.status).toBe('pass'),
    ],
    [
      'token-garbage: 200 with a body that is not JSON',
      ['token-garbage'],
      'client_secret_basic-tls',
      (checks) => {
        const check = checks['token.request']!;
        expect(check).toMatchObject({ status: 'fail', code: 'not-json' });
        expect(check.message).toMatch(/^The token endpoint answered 200 but the body is not JSON \(application\/json, \d+ bytes, starting "<html><body>upstream connect error/);
        expect(check.hint).toMatch(/proxy or gateway/);
        expect(checks['token.response']!.message).toBe('needs token.request, which failed');
      },
    ],
    ...(['client_secret_post-mtls', 'client_secret_basic-mtls', 'private_key_jwt-mtls'] as const).map(
      (name): [string, FaultName[], string, (checks: Checks) => void] => [
        `mtls-cert-not-requested (${name}): the certificate never reached the token endpoint`,
        ['mtls-cert-not-requested'],
        name,
        (checks) => {
          const check = checks['token.request']!;
          expect(check).toMatchObject({ status: 'fail', code: 'oauth-invalid-grant' });
          expect(check.message).toMatch(/^The token endpoint refused the grant \(invalid_grant: .*certificate-bound tokens.*golive presented the transport certificate/);
          expect(check.hint).toMatch(/mTLS token endpoint/);
          expect(check.evidence).toMatchObject({ oauthError: { error: 'invalid_grant' }, clientCertificate: true });
        },
      ],
    ),
    [
      'expired-signing-certificate: signing.certificate fails, so no assertion is signed',
      ['expired-signing-certificate'],
      'private_key_jwt-tls',
      (checks) => {
        expect(checks['signing.certificate']!.status).toBe('fail');
        expect(checks['signing.certificate']!.message).toMatch(/expired/);
        expect(checks['token.request']).toMatchObject({ status: 'skip', message: 'needs signing.keypair, which could not run: signing.certificate failed', skipReason: 'need-failed' });
      },
    ],
  ])('%s', async (_name, faults, config, expectations) => {
    sandbox.setFaults(faults);
    expectations(await run(sandbox.configs[config]!));
  });

  it('the documented audience sent to the sandbox token URL: the differing parts shown', async () => {
    const config = variant('private_key_jwt-tls', (doc) => (doc.signing.audience = DOCUMENTED_AUDIENCE));
    const check = (await run(config))['token.request']!;
    expect(check).toMatchObject({ status: 'fail', code: 'oauth-invalid-client' });
    const port = new URL(sandbox.endpoints.token).port;
    expect(check.message).toContain(
      `the aud sent, "${DOCUMENTED_AUDIENCE}", is not the URL posted to, "${sandbox.endpoints.token}" (scheme none vs https, host www.threddid.com vs 127.0.0.1, port (none) vs ${port})`,
    );
    expect(check.hint).toMatch(/^Remove signing\.audience/);
  });

  it.each([
    ['client_secret_post-tls', /registered for client_secret_basic rather than client_secret_post/],
    ['client_secret_basic-mtls', /registered for client_secret_post rather than client_secret_basic/],
  ])('%s with a wrong secret: invalid_client explained', async (name, method) => {
    const check = (await run(sandbox.configs[name]!, {}, { ...env, THREDD_CLIENT_SECRET: 'not-the-secret' }))['token.request']!;
    expect(check).toMatchObject({ status: 'fail', code: 'oauth-invalid-client' });
    expect(check.message).toMatch(/^The token endpoint refused the client credentials \(invalid_client: "client authentication failed"\): the secret \(14 characters\) is not the one it holds/);
    expect(check.message).toMatch(method);
    expect(check.hint).toMatch(/portal/);
    expect(check.evidence).toMatchObject({ status: 401, oauthError: { error: 'invalid_client' }, secret: { length: 14 } });
  });
});

describe('token.request never refers to a check that did not run', () => {
  it.each<[string, FaultName[], Partial<RunOptions>, Record<string, unknown>, string, RegExp]>([
    [
      'audience-mismatch with --skip jwks.signing-key: the kid is not known, and the way to know it is given',
      ['audience-mismatch'],
      { skip: ['jwks.signing-key'] },
      { 'jwks.signing-key': { status: 'skip', skipReason: 'not-selected' } },
      '(jwks.signing-key did not run)',
      /^Run `golive check --only jwks` to see whether the signing key is registered and under which kid; if it is under the kid sent, the platform likely expects another aud: set signing\.audience/,
    ],
    [
      'audience-mismatch with a JWKS that cannot be read (jwks-500): points at jwks.fetch, which ran',
      ['audience-mismatch', 'jwks-500'],
      {},
      { 'jwks.fetch': { status: 'fail', code: 'server-error' }, 'jwks.signing-key': { status: 'skip', skipReason: 'need-failed' } },
      '(the organisation JWKS could not be read)',
      /^Fix what jwks\.fetch reports in this report, or compare signing\.kid with the KID the portal shows for the signing certificate; if it is under the kid sent, the platform likely expects another aud/,
    ],
  ])('%s', async (_name, faults, options, upstream, why, hint) => {
    sandbox.setFaults(faults);
    const checks = await run(sandbox.configs['private_key_jwt-tls']!, options);
    const check = checks['token.request']!;
    expect(checks).toMatchObject(upstream);
    expect(check).toMatchObject({ status: 'fail', code: 'oauth-invalid-client' });
    expect(check.message).toContain(`most likely the platform does not hold this signing key under kid "${sandbox.kids.signing}" ${why}, or expects another aud`);
    expect(check.hint).toMatch(hint);
    expect(`${check.message} ${check.hint}`).not.toContain('jwks.signing-key in this report');
  });

  it('clock-offset with --skip clock.skew: the hint does not point at clock.skew', async () => {
    sandbox.setFaults(['clock-offset']);
    const checks = await run(sandbox.configs['private_key_jwt-tls']!, { skip: ['clock.skew'] });
    const check = checks['token.request']!;
    expect(checks['clock.skew']).toMatchObject({ status: 'skip', skipReason: 'not-selected' });
    expect(check).toMatchObject({ status: 'fail', code: 'oauth-invalid-client' });
    expect(check.message).toMatch(/the token host's clock is (59\d|60[01]) s ahead of this machine's/);
    expect(check.hint).toBe("Synchronise this machine's clock with NTP (e.g. `timedatectl set-ntp true`), then rerun.");
  });
});

describe('token.request names a pasted value behind a refusal, escaped, never the secret', () => {
  const WHERE_FROM = '(the variable, the env file: check quotes and CRLF line ends, or the config)';

  // oidc-provider refuses a line break in Basic credentials as a malformed request, and a wrong secret as invalid_client.
  it.each([
    ['client_secret_post-tls', 'oauth-invalid-client', 'The token endpoint refused the client credentials (invalid_client: "client authentication failed")'],
    ['client_secret_basic-mtls', 'oauth-invalid-request', 'The token endpoint rejected the request as malformed (invalid_request: '],
  ])('%s: a secret with a trailing line break', async (name, code, refused) => {
    const checks = await run(sandbox.configs[name]!, {}, { ...env, THREDD_CLIENT_SECRET: `${AWKWARD_SECRET}\n` });
    const check = checks['token.request']!;
    expect(check).toMatchObject({ status: 'fail', code, evidence: { secret: { length: AWKWARD_SECRET.length + 1, surroundingWhitespace: true, unseen: 'ends with a line break' } } });
    expect(check.message?.startsWith(refused), check.message).toBe(true);
    expect(check.message).toMatch(new RegExp(`\\): client\\.secret \\(${AWKWARD_SECRET.length + 1} characters\\) ends with a line break, most likely copied with it\\.$`));
    expect(check.hint).toBe(`Remove the unseen characters from client.secret where its value comes from ${WHERE_FROM}.`);
    expect(checks['config.consistency']).toMatchObject({ status: 'warn', code: 'pasted-whitespace' });
    const report = JSON.stringify(checks);
    expect(report).not.toContain(AWKWARD_SECRET);
    expect(report).not.toContain(encodeURIComponent(AWKWARD_SECRET));
  });

  it.each(['client_secret_post-tls', 'private_key_jwt-tls'])('%s: a client id with a trailing line break', async (name) => {
    const id = /id: (\S+)/.exec(readFileSync(sandbox.configs[name]!, 'utf8'))![1]!;
    const config = variant(name, (doc) => (doc.client.id = `${id}\n`));
    const check = (await run(config))['token.request']!;
    expect(check).toMatchObject({ status: 'fail', code: 'oauth-invalid-client' });
    expect(check.message).toMatch(
      new RegExp(`^The token endpoint refused the (client credentials|client assertion) \\(invalid_client: "client authentication failed"\\): client\\.id "${id}\\\\n" ends with a line break \\("\\\\n"\\): the platform compares client ids exactly`),
    );
    expect(check.hint).toBe(`Remove the unseen characters from client.id where its value comes from ${WHERE_FROM}; copy the client id from the portal exactly as shown (UUID or URL form).`);
    expect(check.message).not.toMatch(/[\r\n]/);
  });

  it('private_key_jwt: a kid with a trailing CRLF leads, shown escaped', async () => {
    const config = variant('private_key_jwt-tls', (doc) => (doc.signing.kid = `${sandbox.kids.signing}\r\n`));
    const checks = await run(config);
    const check = checks['token.request']!;
    expect(checks['jwks.signing-key']).toMatchObject({ status: 'fail', code: 'kid-mismatch' });
    expect(check).toMatchObject({ status: 'fail', code: 'oauth-invalid-client' });
    expect(check.message).toContain(`): kid "${sandbox.kids.signing}\\r\\n" was sent: signing.kid ends with a line break ("\\r\\n"), so it names no registered key`);
    expect(check.hint).toBe(`Remove the unseen characters from signing.kid where its value comes from ${WHERE_FROM}.`);
    expect(check.message).not.toMatch(/[\r\n]/);
  });
});

/** A token host that answers the reachability probe, then misbehaves on the token POST. */
describe('token.request against a misbehaving token host', () => {
  let server: Server;
  let mode = '';
  let url = '';

  beforeAll(async () => {
    server = createServer({ cert: material.server.cert, key: material.server.key }, (req, res) => {
      if (req.method !== 'POST') return void res.writeHead(200).end();
      req.resume();
      switch (mode) {
        case 'hang':
          return;
        case 'reset':
          return void req.socket.destroy();
        case '503-html':
          return void res.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>');
        case '500-thredd':
          return void res
            .writeHead(500, { 'content-type': 'application/problem+json', 'x-request-id': 'req-42' })
            .end(JSON.stringify({ type: 'about:blank', title: 'Server error', status: 500, traceId: '00-abc-def-00', errors: {} }));
        case '200-no-token':
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token_type: 'Bearer', expires_in: 3600 }));
        case '404-text':
          return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        case '302':
          return void res.writeHead(302, { location: 'https://elsewhere.example/oauth2/token' }).end();
        case 'unauthorized_client':
          return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unauthorized_client', error_description: 'grant not allowed' }));
        case 'invalid_scope':
          return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_scope' }));
        case 'platform-error':
          return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Client.Blocked', error_description: 'ask support' }));
        case '400-json':
          return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Bad Request' }));
        case '200-form':
          return void res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' }).end('access_token=abc&token_type=bearer');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`;
  });
  afterAll(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));

  it.each([
    ['hang', { timeoutMs: 400 }, 'timeout', /^The token request to .* timed out: the server did not answer the request within 400 ms \(GOLIVE_TIMEOUT\)\.$/, /--timeout/, { layer: 'timeout' }],
    ['reset', {}, 'tcp', /^The token request to .* failed at the tcp layer: the connection was reset/, /proxies and firewalls/, { layer: 'tcp' }],
    ['503-html', {}, 'server-error', /^The token endpoint answered 503 \(text\/html, 32 bytes, starting "<html>Service Unavailable<\/html>"\): the platform failed/, /platform's side.*request id/, { status: 503 }],
    ['500-thredd', {}, 'server-error', /^The token endpoint answered 500: the platform failed/, /traceId/, { status: 500, traceId: '00-abc-def-00', requestIds: { 'x-request-id': 'req-42' } }],
    ['200-no-token', {}, 'no-access-token', /^The token endpoint answered 200 with JSON, but it has no access_token member \(members: token_type, expires_in\)/, /endpoints\.token/, { members: ['token_type', 'expires_in'] }],
    ['404-text', {}, 'not-oauth-error', /^The token endpoint answered 404 without an OAuth error body \(text\/plain, 9 bytes, starting "Not Found"\)/, /wrong path or host/, { status: 404 }],
    ['400-json', {}, 'not-oauth-error', /^The token endpoint answered 400 with JSON that is not an OAuth error \(no "error" member\)\.$/, /not an API path/, { status: 400, body: { message: 'Bad Request' } }],
    ['200-form', {}, 'form-encoded', /^The token endpoint answered 200 with a form-encoded body instead of JSON \(application\/x-www-form-urlencoded\)\.$/, /RFC 6749/, { status: 200 }],
    ['302', {}, 'redirect', /^The token endpoint answered 302, a redirect to https:\/\/elsewhere\.example\/oauth2\/token/, /final token endpoint URL/, { status: 302 }],
    ['unauthorized_client', {}, 'oauth-unauthorized-client', /is not allowed to use this grant or authentication method \(unauthorized_client: "grant not allowed"\)/, /client credentials grant to be enabled/, { oauthError: { error: 'unauthorized_client', error_description: 'grant not allowed' } }],
    ['invalid_scope', {}, 'oauth-invalid-scope', /^The token endpoint refused the scope \(invalid_scope\), although golive requested none/, /client\.scopes/, { oauthError: { error: 'invalid_scope' } }],
    ['platform-error', {}, 'oauth-error', /^The token endpoint refused the request with the OAuth error Client\.Blocked: "ask support"\.$/, /error_description/, { oauthError: { error: 'Client.Blocked' } }],
  ] as const)('%s', async (answer, options, code, message, hint, evidence) => {
    mode = answer;
    const config = variant('client_secret_post-tls', (doc) => (doc.endpoints.token = url));
    const started = performance.now();
    const checks = await run(config, options);
    const check = checks['token.request']!;
    expect(checks['network.token-endpoint']!.status).toBe('pass');
    expect(check).toMatchObject({ status: 'fail', code });
    expect(check.message).toMatch(message);
    expect(check.hint).toMatch(hint);
    expect(check.evidence).toMatchObject({ method: 'POST', url, ...evidence });
    expect(performance.now() - started).toBeLessThan(8_000);
  });
});

describe('secrets never reach the report', () => {
  it.each([
    ['private_key_jwt-mtls', []],
    ['client_secret_basic-tls', []],
    ['private_key_jwt-tls', ['audience-mismatch']],
    ['client_secret_post-tls', ['token-garbage']],
  ] as Array<[string, FaultName[]]>)('%s %j: no access token, assertion or secret in the report', async (name, faults) => {
    sandbox.setFaults(faults);
    const wire = recording();
    const results = await runThrough(wire.http, sandbox.configs[name]!, { only: ['token'] });
    const report = JSON.stringify(results);
    const form = wire.bodies.map((body) => Object.fromEntries(new URLSearchParams(body))).find((fields) => fields.grant_type);
    const canaries = [
      form?.client_assertion,
      form?.client_assertion?.split('.')[2],
      form?.client_secret,
      AWKWARD_SECRET,
      ...wire.headers,
      ...wire.answers.map((text) => {
        try {
          return JSON.parse(text).access_token as string | undefined;
        } catch {
          return undefined;
        }
      }),
    ].filter((value): value is string => typeof value === 'string' && value.length > 0);
    // Prove the recorder saw what each case puts on the wire, so the canaries are real.
    if (name.startsWith('private_key_jwt')) expect(form?.client_assertion).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
    if (name.startsWith('client_secret_basic')) expect(wire.headers).toEqual([expect.stringMatching(/^Basic /)]);
    if (name.startsWith('client_secret_post')) expect(form?.client_secret).toBe(AWKWARD_SECRET);
    const issued = faults.length === 0;
    const tokens = canaries.filter((value) => /^eyJ/.test(value) && value !== form?.client_assertion);
    expect(tokens.length > 0, 'an access token was recorded').toBe(issued);
    for (const canary of canaries) expect(report).not.toContain(canary);
    // The token checks leave them out rather than relying on the redactor.
    const tokenChecks = JSON.stringify(results.filter((check) => check.id.startsWith('token.')));
    expect(tokenChecks).not.toContain('[redacted');
    expect(tokenChecks).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });
});
