import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { issue } from '../support/credentials.js';
import { CLI, golive } from '../support/cli.js';
import { startEchoServer, type EchoServer, type RecordedRequest } from '../support/echo-servers.js';

// The wire canary: every value golive sends that grants access (the client
// secret in a form or a Basic header, the client assertion, the access
// token) goes to servers that reflect requests back in their errors, headers
// and redirects. No such value, in any encoding a server may give it, may
// come out of any output: stdout in each format, the artifacts, --curl,
// --debug. The servers record what they were sent, so the test proves the
// canaries were on the wire.

/** A client id with characters RFC 6749 §2.3.1 makes client_secret_basic form-encode. */
const CLIENT_ID = 'https://clients.example/canary:6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11';
/** Every character some encoder treats specially, and non-ASCII. */
const SECRET = `CanaryWireSecret ~!'()*%+/=:&#?"\\ é€😀 Qx7Lm2Vb9`;
/** An opaque access token; header values must be ASCII. */
const OPAQUE_TOKEN = `CanaryWireToken ~!'()*%+/=:&#?"\\ Zp6yT0Kw3Hj`;

const METHODS = ['client_secret_post', 'client_secret_basic', 'private_key_jwt'] as const;
/** What the token endpoint does, and what the API host does with the token it issued. */
const SCENARIOS: Array<{ token: string; api: string }> = [
  { token: 'oauth', api: 'oauth' },
  { token: 'text', api: 'oauth' },
  { token: 'short', api: 'oauth' },
  { token: 'thredd', api: 'oauth' },
  { token: 'json', api: 'oauth' },
  { token: 'redirect', api: 'oauth' },
  { token: 'issue', api: 'oauth' },
  { token: 'issue', api: 'text' },
  { token: 'issue', api: 'thredd' },
  { token: 'issue', api: 'redirect' },
  { token: 'issue-jwt', api: 'oauth' },
  { token: 'issue-jwt', api: 'thredd' },
];
/**
 * Each run writes every artifact (json, junit, markdown, sarif, html) and one stdout
 * format; it takes every other scenario, so each scenario meets three stdout
 * formats and a run stays short (each config costs a few TLS connections).
 */
const FORMATS = ['pretty', 'plain', 'json', 'junit', 'markdown', 'github'] as const;
/** The shortest run of a secret's encoding that counts as a leak. */
const WINDOW = 12;

let root: string;
let server: EchoServer;
let jwtToken: string;
let foreignJwt: string;
let configs: Array<{ file: string; method: string; token: string; api: string; scenario: number }>;

const formEncode = (value: string): string => new URLSearchParams([['', value]]).toString().slice(1);
const base64 = (value: string): string => Buffer.from(value, 'utf8').toString('base64');
const base64url = (value: string): string => Buffer.from(value, 'utf8').toString('base64url');
const lowerHex = (value: string): string => value.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());

/** The forms a value takes on the wire and in a server's answer (written independently of src/redact.ts). */
function encodingsOf(value: string): string[] {
  const form = formEncode(value);
  const uri = encodeURIComponent(value);
  const rfc3986 = uri.replace(/[!'()*~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  const json = JSON.stringify(value).slice(1, -1);
  const forms = [
    value,
    form,
    form.replace(/\+/g, '%20'),
    uri,
    rfc3986,
    json,
    json.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`),
    json.replace(/\//g, '\\/'),
    base64(value),
    base64url(value),
    // A form body carried in a redirect URL is percent-encoded again.
    encodeURIComponent(form),
  ];
  return [...new Set([...forms, ...forms.map(lowerHex)])];
}

function addWindows(windows: Map<string, string>, value: string): void {
  for (const form of encodingsOf(value)) {
    const runs = form.length < WINDOW ? [form] : Array.from({ length: form.length - WINDOW + 1 }, (_, start) => form.slice(start, start + WINDOW));
    for (const run of runs) if (!windows.has(run)) windows.set(run, value);
  }
}

/**
 * Every WINDOW-long run of every encoding of every value: a leak is any of
 * them in an output. Runs that encode only the client id (the start of the
 * Basic credentials) are not secret: the report shows the client id.
 */
function windowsOf(values: Iterable<string>): Map<string, string> {
  const windows = new Map<string, string>();
  for (const value of values) addWindows(windows, value);
  const shown = new Map<string, string>();
  for (const value of [CLIENT_ID, `${CLIENT_ID}:`, `${formEncode(CLIENT_ID)}:`]) addWindows(shown, value);
  for (const run of shown.keys()) windows.delete(run);
  return windows;
}

function leaksIn(outputs: Record<string, string>, windows: Map<string, string>): string[] {
  const found = new Set<string>();
  for (const [where, text] of Object.entries(outputs)) {
    for (let start = 0; start + WINDOW <= text.length; start++) {
      const value = windows.get(text.slice(start, start + WINDOW));
      if (value !== undefined) found.add(`${where}: "${text.slice(Math.max(0, start - 20), start + WINDOW + 20)}" (from ${JSON.stringify(value.slice(0, 24))}…)`);
    }
  }
  return [...found];
}

/** The credentials the recorded requests carried: the values that must not come out. */
function wireSecrets(requests: readonly RecordedRequest[]): { values: Set<string>; seen: Record<string, number> } {
  const values = new Set<string>([SECRET, OPAQUE_TOKEN, jwtToken, foreignJwt, foreignJwt.split('.')[2]!]);
  const seen: Record<string, number> = { clientSecretPost: 0, clientSecretBasic: 0, clientAssertion: 0, opaqueBearer: 0, jwtBearer: 0 };
  for (const request of requests) {
    const authorization = request.headers.authorization ?? '';
    const form = new URLSearchParams(request.body);
    if (form.get('client_secret') === SECRET) seen.clientSecretPost!++;
    if (authorization.startsWith('Basic ')) {
      const credentials = authorization.slice('Basic '.length);
      if (Buffer.from(credentials, 'base64').toString('utf8') === `${formEncode(CLIENT_ID)}:${formEncode(SECRET)}`) seen.clientSecretBasic!++;
      values.add(credentials);
      values.add(`${CLIENT_ID}:${SECRET}`);
    }
    const assertion = form.get('client_assertion');
    if (assertion) {
      expect(assertion).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
      seen.clientAssertion!++;
      values.add(assertion);
      values.add(assertion.split('.')[2]!);
    }
    if (authorization === `Bearer ${OPAQUE_TOKEN}`) seen.opaqueBearer!++;
    if (authorization === `Bearer ${jwtToken}`) seen.jwtBearer!++;
  }
  return { values, seen };
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsup --out-dir DIR, then GOLIVE_DIST=DIR)`);
  const { privateKey } = await generateKeyPair('ES256');
  jwtToken = await new SignJWT({ scope: 'payments', client_id: CLIENT_ID })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'canary-at' })
    .setSubject(CLIENT_ID)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(randomBytes(12).toString('hex'))
    .sign(privateKey);
  // Whitespace in the header: its base64url does not start with eyJ.
  foreignJwt = [base64url('{ "alg": "HS256", "typ": "JWT" }'), base64url('{ "sub": "someone-else" }'), randomBytes(32).toString('base64url')].join('.');
  server = await startEchoServer({ tokens: { opaque: OPAQUE_TOKEN, jwt: jwtToken }, foreignJwt });

  root = await mkdtemp(path.join(tmpdir(), 'golive-wire-canary-'));
  const signing = await issue({ subject: 'CN=canary client, O=Example Ltd, C=GB', key: { kind: 'ec' } });
  await writeFile(path.join(root, 'ca.pem'), server.caPem);
  await writeFile(path.join(root, 'signing.pem'), signing.certPem);
  await writeFile(path.join(root, 'signing.key'), signing.keyPem, { mode: 0o600 });
  configs = [];
  for (const method of METHODS) {
    for (const [scenario, { token, api }] of SCENARIOS.entries()) {
      const name = `${method}-${token}-${api}.yaml`;
      const client = method === 'private_key_jwt' ? '' : '  secret: "${THREDD_CLIENT_SECRET}"\n';
      const signingSection = method === 'private_key_jwt' ? 'signing:\n  certificate: signing.pem\n  privateKey: signing.key\n  kid: canary-kid\n  algorithm: ES256\n' : '';
      await writeFile(
        path.join(root, name),
        `profile: custom
environment: uat
connectivity: tls
region: 0
organisationId: org-canary
client:
  id: "${CLIENT_ID}"
  authMethod: ${method}
${client}  scopes: [payments]
${signingSection}endpoints:
  token: ${server.origin}/token/${token}
  jwks: ${server.origin}/jwks/{organisationId}/jwks.json
  api: ${server.origin}/api/${api}
http:
  ca: ca.pem
`,
      );
      configs.push({ file: name, method, token, api, scenario });
    }
  }
});

afterAll(async () => {
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

async function artifacts(folder: string): Promise<Record<string, string>> {
  const dir = path.join(root, folder);
  const files: Record<string, string> = {};
  for (const name of await readdir(dir)) files[`${folder}/${name}`] = await readFile(path.join(dir, name), 'utf8');
  return files;
}

describe('wire canary: secrets reflected by the servers never come out', () => {
  it.each(FORMATS.map((format, index) => [format, index % 2 === 0 ? 'even' : 'odd', index % 2] as const))(
    '--format %s, --debug --curl, every artifact, every auth method, the %s scenarios',
    async (format, _half, parity) => {
      server.requests.length = 0;
      const folder = `out-${format}`;
      await mkdir(path.join(root, folder), { recursive: true });
      const selected = configs.filter(({ scenario }) => scenario % 2 === parity);
      const artifactArgs = ['--json', `${folder}/report.json`, '--junit', `${folder}/junit.xml`, '--markdown', `${folder}/summary.md`, '--sarif', `${folder}/report.sarif`, '--html', `${folder}/report.html`];
      const args = ['check', '--debug', '--curl', '--format', format, ...artifactArgs, ...selected.map(({ file }) => file)];
      const result = await golive(args, root, { THREDD_CLIENT_SECRET: SECRET });
      expect(result.code, result.stderr).toBe(1);

      // The canaries went on the wire, in every form this run was meant to send them.
      const { values, seen } = wireSecrets(server.requests);
      const count = (wanted: (config: (typeof selected)[number]) => boolean) => selected.filter(wanted).length;
      expect(seen).toEqual({
        clientSecretPost: count(({ method }) => method === 'client_secret_post'),
        clientSecretBasic: count(({ method }) => method === 'client_secret_basic'),
        clientAssertion: count(({ method }) => method === 'private_key_jwt'),
        opaqueBearer: count(({ token }) => token === 'issue'),
        jwtBearer: count(({ token }) => token === 'issue-jwt'),
      });

      const outputs: Record<string, string> = { stdout: result.stdout, stderr: result.stderr, ...(await artifacts(folder)) };
      expect(Object.keys(outputs)).toHaveLength(7);
      expect(leaksIn(outputs, windowsOf(values))).toEqual([]);

      // The reflections reached the report and were redacted there, not dropped on the way.
      const report = JSON.parse(outputs[`${folder}/report.json`]!) as Report;
      expect(report.runs.map((run) => run.config.path)).toEqual(selected.map(({ file }) => file));
      for (const run of report.runs) {
        const { file, token, api } = selected.find(({ file: name }) => name === run.config.path)!;
        const check = (id: string) => run.checks.find((candidate) => candidate.id === id)!;
        const issued = token.startsWith('issue');
        expect(check('token.request').status, file).toBe(issued ? 'pass' : 'fail');
        if (issued) expect(check('probe.call').status, file).toBe('fail');
        const evidence = JSON.stringify(check(issued ? 'probe.call' : 'token.request').evidence);
        if (token === 'oauth' || (issued && api === 'oauth')) expect(evidence, file).toMatch(/\[redacted( token)?\]/);
      }
      expect(result.stderr).toContain('# golive --curl');
    },
  );
});
