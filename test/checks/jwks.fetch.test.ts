import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type FaultName, type Sandbox } from '../../src/sandbox/index.js';
import { checkSandboxJwks, fetchJwks } from '../support/jwks-fixtures.js';
import { HUGE_BODY_BYTES, startHostileServer, type HostileServer } from '../support/hostile-servers.js';

let sandbox: Sandbox;
let hostile: HostileServer;

beforeAll(async () => {
  [sandbox, hostile] = await Promise.all([startSandbox({ quiet: true }), startHostileServer()]);
});

afterAll(async () => {
  await Promise.all([sandbox?.close(), hostile?.close()]);
});

const MAX_BYTES = 1_048_576;
/** The most undici hands over in one read: reading stops within one chunk past the cap. */
const ONE_CHUNK = 64 * 1024;

describe('jwks.fetch against the sandbox', () => {
  it.each(['private_key_jwt-tls', 'private_key_jwt-mtls', 'client_secret_post-tls'])('passes for %s, listing the published kids', async (name) => {
    const result = (await checkSandboxJwks(sandbox, name))['jwks.fetch']!;
    const kids = [sandbox.kids.signing, sandbox.kids.signingEs256, sandbox.kids.transport];
    expect(result.status).toBe('pass');
    expect(result.message).toMatch(/^The JWKS answered 200 in [\d.]+ ms with 3 keys \(\d+ bytes\): kids /);
    for (const kid of kids) expect(result.message).toContain(`"${kid}"`);
    expect(result.evidence).toMatchObject({
      url: sandbox.endpoints.jwks,
      status: 200,
      contentType: expect.stringMatching(/^application\/json/),
      bytes: expect.any(Number),
      fetchMs: expect.any(Number),
      kids,
      keyCount: 3,
    });
  });

  // One fault at a time on the shared sandbox, so these run in order.
  const faults: Array<{ fault: FaultName; timeoutMs?: number; message: RegExp; hint: RegExp; evidence?: Record<string, unknown> }> = [
    {
      fault: 'jwks-500',
      message: /^The JWKS URL answered HTTP 500 instead of 200: "The key store is unavailable\."$/,
      hint: /JWKS host has a problem: rerun later/,
      evidence: { status: 500, bodyStart: expect.stringContaining('internal_server_error') },
    },
    {
      fault: 'jwks-html',
      message: /^The JWKS URL answered 200 with an HTML page \(served as text\/html; charset=utf-8, title "Sign in"\), not a JSON Web Key Set\.$/,
      hint: /proxy, captive portal or sign-in page/,
      evidence: { status: 200, problem: 'html' },
    },
    {
      fault: 'jwks-huge',
      message: /^The JWKS body is larger than http\.jwksMaxBytes \(1048576 bytes\): stopped reading at \d+ bytes of 3145\d+ announced\.$/,
      hint: /raise http\.jwksMaxBytes only if/,
      evidence: { maxBytes: MAX_BYTES },
    },
    {
      fault: 'jwks-hang',
      timeoutMs: 1_000,
      message: /^The JWKS host 127\.0\.0\.1:\d+ did not answer within 1000 ms \(\w+\)\.$/,
      hint: /raise --timeout only if/,
      evidence: { layer: 'timeout', timeoutMs: 1_000 },
    },
  ];

  it.each(faults)('fails on $fault, naming the cause', async ({ fault, timeoutMs, message, hint, evidence }) => {
    sandbox.setFaults([fault]);
    try {
      const started = performance.now();
      const results = await checkSandboxJwks(sandbox, 'private_key_jwt-tls', timeoutMs);
      const result = results['jwks.fetch']!;
      expect(result.status).toBe('fail');
      expect(result.message).toMatch(message);
      expect(result.hint).toMatch(hint);
      expect(result.evidence).toMatchObject(evidence ?? {});
      expect(results['jwks.signing-key']).toMatchObject({ status: 'skip', message: 'needs jwks.fetch, which failed' });
      if (timeoutMs !== undefined) expect(performance.now() - started).toBeLessThan(timeoutMs + 1_000);
      if (fault === 'jwks-huge') expect(result.evidence!.bytes as number).toBeLessThanOrEqual(MAX_BYTES + ONE_CHUNK);
    } finally {
      sandbox.setFaults([]);
    }
  });
});

describe('jwks.fetch against hostile servers', () => {
  it('fails on a 20 MB body at the size cap, without reading it all', async () => {
    const result = await fetchJwks(hostile.url('/huge'));
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/stopped reading at (\d+) bytes of 20971520 announced\.$/);
    const bytes = result.evidence!.bytes as number;
    expect(bytes).toBeGreaterThan(MAX_BYTES);
    expect(bytes).toBeLessThanOrEqual(MAX_BYTES + ONE_CHUNK);
    expect(Number(/stopped reading at (\d+)/.exec(result.message!)![1])).toBe(bytes);
    // The server was cut off: it could not push the whole body through.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hostile.hugeBytesWritten()).toBeLessThan(HUGE_BODY_BYTES);
  });

  it('fails within the timeout plus 1 s on a server that never answers', async () => {
    const result = await fetchJwks(hostile.url('/hang'), { timeoutMs: 500 });
    expect(result).toMatchObject({ status: 'fail', evidence: { layer: 'timeout', timeoutMs: 500 } });
    expect(result.message).toMatch(/did not answer within 500 ms/);
    expect(result.elapsedMs).toBeLessThan(1_500);
  });

  it('fails within the timeout plus 1 s on headers sent a byte at a time', async () => {
    const result = await fetchJwks(hostile.url('/slow-headers'), { timeoutMs: 1_000 });
    expect(result).toMatchObject({ status: 'fail', evidence: { layer: 'timeout' } });
    expect(result.message).toMatch(/^The JWKS host 127\.0\.0\.1:\d+ did not answer within 1000 ms/);
    expect(result.elapsedMs).toBeLessThan(2_000);
  });

  const failures: Array<{ name: string; path: string; message: RegExp; hint: RegExp; evidence?: Record<string, unknown> }> = [
    {
      name: 'a redirect to another host (named, not followed)',
      path: '/redirect',
      message: /^The JWKS URL answered 302 redirecting to http:\/\/jwks\.elsewhere\.example\/org\/jwks\.json on another host; golive does not follow redirects\.$/,
      hint: /^Set endpoints\.jwks to http:\/\/jwks\.elsewhere\.example\/org\/jwks\.json once you have checked/,
      evidence: { status: 302, location: 'http://jwks.elsewhere.example/org/jwks.json' },
    },
    {
      name: 'a redirect to https on the same host',
      path: '/https-upgrade',
      message: /^The JWKS URL answered 301 redirecting to https:\/\/127\.0\.0\.1:\d+\/https-upgrade; golive does not follow/,
      hint: /^The host moved the JWKS to https: set endpoints\.jwks to https:/,
    },
    {
      name: 'a connection reset in the middle of the body',
      path: '/reset',
      message: /^The JWKS host 127\.0\.0\.1:\d+ could not be reached: the connection was reset by the server or a middlebox \(tcp, \w+\)\.$/,
      hint: /^Allow outbound http to 127\.0\.0\.1:\d+/,
      evidence: { layer: 'tcp' },
    },
    {
      name: 'an answer that is not HTTP',
      path: '/garbage',
      message: /^The JWKS host 127\.0\.0\.1:\d+ answered with something that is not HTTP \(HPE_\w+\)\.$/,
      hint: /^Check the scheme and port of endpoints\.jwks .*: another service listens there\.$/,
    },
    {
      name: 'a binary body',
      path: '/binary',
      message: /^The JWKS URL answered 200 with 2048 bytes of binary data \(served as application\/octet-stream\), not JSON\.$/,
      hint: /^Check that endpoints\.jwks/,
      evidence: { problem: 'binary' },
    },
    {
      name: 'a 404',
      path: '/no/such/jwks.json',
      message: /^The JWKS URL answered HTTP 404 instead of 200\.$/,
      hint: /^Check organisationId \(org-1\) and endpoints\.jwks/,
      evidence: { status: 404 },
    },
  ];

  it.each(failures)('fails on $name', async ({ path, message, hint, evidence }) => {
    const result = await fetchJwks(hostile.url(path));
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(hint);
    expect(result.evidence).toMatchObject(evidence ?? {});
    expect(result.output).toBeUndefined();
  });

  it('fails naming the layer, code and host when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const result = await fetchJwks(`http://127.0.0.1:${port}/org/jwks.json`);
    expect(result).toMatchObject({ status: 'fail', evidence: { layer: 'tcp', code: 'ECONNREFUSED', host: `127.0.0.1:${port}` } });
    expect(result.message).toBe(
      `The JWKS host 127.0.0.1:${port} could not be reached: the connection was refused (nothing listens on that port, or a firewall rejects it) (tcp, ECONNREFUSED).`,
    );
  });

  const KEY = { kty: 'RSA', kid: 'k1', use: 'sig', n: 'sXch', e: 'AQAB' };
  const bodies: Array<{ name: string; body: string; type?: string | null; status: 'pass' | 'warn' | 'fail'; message: RegExp; hint?: RegExp }> = [
    { name: 'a JSON Web Key Set', body: JSON.stringify({ keys: [KEY] }), status: 'pass', message: /with 1 key \(\d+ bytes\): kid "k1"\.$/ },
    {
      name: 'application/jwk-set+json',
      body: JSON.stringify({ keys: [KEY] }),
      type: 'application/jwk-set+json',
      status: 'pass',
      message: /^The JWKS answered 200/,
    },
    {
      name: 'a key set served as text/plain',
      body: JSON.stringify({ keys: [KEY] }),
      type: 'text/plain',
      status: 'warn',
      message: /^The JWKS parses, but is served as text\/plain rather than application\/json\.$/,
      hint: /mention it to the JWKS host operator/,
    },
    {
      name: 'a key set with no content type',
      body: JSON.stringify({ keys: [KEY] }),
      type: null,
      status: 'warn',
      message: /served with no content type rather than application\/json/,
    },
    {
      name: 'keys without a kid',
      body: JSON.stringify({ keys: [KEY, { kty: 'RSA', use: 'sig', n: 'abc', e: 'AQAB' }] }),
      status: 'warn',
      message: /^1 of 2 JWKS keys look wrong: key 1 has no kid\.$/,
      hint: /a key without a unique kid cannot be chosen/,
    },
    {
      name: 'a published private key',
      body: JSON.stringify({ keys: [{ ...KEY, d: 'secret-exponent' }] }),
      status: 'warn',
      message: /key 0 \(kid "k1"\) publishes private key members \(d\)/,
      hint: /^A published private key is compromised: revoke it/,
    },
    {
      name: 'JSON without keys',
      body: JSON.stringify({ error: 'nope' }),
      status: 'fail',
      message: /^The JWKS is JSON without a "keys" array \(members: error\)\.$/,
      hint: /^Check that endpoints\.jwks/,
    },
    {
      name: 'server metadata instead of the key set',
      body: JSON.stringify({ issuer: 'https://threddid.com', jwks_uri: 'https://threddid.com/jwks' }),
      status: 'fail',
      message: /without a "keys" array \(members: issuer, jwks_uri\)/,
      hint: /set endpoints\.jwks to its jwks_uri/,
    },
    { name: 'keys that is not an array', body: '{"keys":{"kid":"k1"}}', status: 'fail', message: /^The JWKS "keys" member is an object, not an array\.$/ },
    {
      name: 'an empty key set',
      body: '{"keys":[]}',
      status: 'fail',
      message: /^The JWKS holds no keys \("keys": \[\]\)/,
      hint: /^Register the signing certificate/,
    },
    { name: 'a JSON array', body: '[]', status: 'fail', message: /^The JWKS is an array, not an object with a "keys" array\.$/ },
    {
      name: 'text that is not JSON',
      body: 'Service temporarily unavailable, please retry',
      type: 'text/plain',
      status: 'fail',
      message: /^The JWKS URL answered 200 with a body that is not JSON \(served as text\/plain\): it starts "Service temporarily unavailable, please retry"\.$/,
    },
    { name: 'an empty body', body: '', status: 'fail', message: /^The JWKS URL answered 200 with an empty body/ },
  ];

  it.each(bodies)('$status for $name', async ({ name, body, type, status, message, hint }) => {
    const url = hostile.reply(name.replace(/\W+/g, '-'), body, type);
    const result = await fetchJwks(url);
    expect(result.status).toBe(status);
    expect(result.message).toMatch(message);
    if (hint) expect(result.hint).toMatch(hint);
    if (status === 'fail') expect(result.output).toBeUndefined();
    else expect(result.output).toMatchObject({ url, kids: expect.any(Array), keys: expect.any(Array), bytes: Buffer.byteLength(body) });
    expect(JSON.stringify(result)).not.toContain('secret-exponent');
  });
});
