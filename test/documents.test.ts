import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import reportSchema from '../schemas/report.schema.json' with { type: 'json' };
import type { CheckReport, Report } from '../src/report/types.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { CLI, golive, ROOT } from './support/cli.js';
import { tempDir } from './support/config-files.js';
import { issue } from './support/credentials.js';
import { fetchJwks } from './support/jwks-fixtures.js';
import { configVariant, runOnline, sandboxEnv, sandboxServerCertificate } from './support/online.js';

// Every document in fixtures/documents/<kind>/ is run through golive here, as
// its declaration (the sidecar NAME.expect.json, fixtures/documents/README.md)
// says: adding a document is adding two files and a README line, never a test edit.

const DOCUMENTS = path.join(ROOT, 'fixtures/documents');
const KINDS = ['jwks', 'token', 'api-errors', 'postman', 'reports'] as const;
type Kind = (typeof KINDS)[number];
const SIDECAR = '.expect.json';

/** What one check must say about a document: key facts of message and hint, as substrings. */
interface Outcome {
  status: 'pass' | 'warn' | 'fail' | 'skip';
  code?: string;
  message: string[];
  hint?: string[];
  evidence?: Record<string, unknown>;
}

/** How the test's loopback server answers with the document. */
interface Serve {
  status?: number;
  contentType?: string;
  headers?: Record<string, string>;
}

interface OnlineDeclaration {
  serve?: Serve;
  /** The sandbox config the document is checked with (token, api-errors). */
  config?: string;
  /** Fields of that config to change (deep merge). */
  configChanges?: Record<string, unknown>;
  expect: Record<string, Outcome>;
}

interface PostmanDeclaration {
  args?: string[];
  /** Key and certificate pairs the export names as files, made in test setup: `keys/signing` gives keys/signing.key and keys/signing.pem. */
  credentials?: Record<string, 'rsa' | 'ec'>;
  expect: { exitCode: number; config: Record<string, unknown>; stdout: string[] };
  /** `golive check --offline` on the written config: these checks pass, none fails. */
  check?: { env?: Record<string, string>; pass: string[] };
}

interface ReportDeclaration {
  expect: { status: Report['status']; exitCode: number; stdout: string[] };
}

interface Document {
  kind: Kind;
  file: string;
  path: string;
}

/** The sidecar of `good.json` is `good.expect.json`: the last extension replaced. */
function sidecarOf(file: string): string {
  const dot = file.lastIndexOf('.');
  return `${dot > 0 ? file.slice(0, dot) : file}${SIDECAR}`;
}

function documentsOf(kind: Kind): Document[] {
  return readdirSync(path.join(DOCUMENTS, kind))
    .filter((file) => !file.endsWith(SIDECAR))
    .sort()
    .map((file) => ({ kind, file, path: path.join(DOCUMENTS, kind, file) }));
}

const OUTCOME_FIELDS = new Set(['status', 'code', 'message', 'hint', 'evidence']);
const TOP_FIELDS: Record<Kind, readonly string[]> = {
  jwks: ['serve', 'expect'],
  token: ['serve', 'config', 'configChanges', 'expect'],
  'api-errors': ['serve', 'config', 'configChanges', 'expect'],
  postman: ['args', 'credentials', 'expect', 'check'],
  reports: ['expect'],
};

/** A declaration, refused when missing or when a field is misspelt (an assertion would silently not run). */
function declarationOf<T>(document: Document): T {
  const file = path.join(DOCUMENTS, document.kind, sidecarOf(document.file));
  if (!existsSync(file)) throw new Error(`fixtures/documents/${document.kind}/${document.file} has no declaration: write ${sidecarOf(document.file)} beside it`);
  const declaration = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const unknown = Object.keys(declaration).filter((field) => !TOP_FIELDS[document.kind].includes(field));
  if (unknown.length > 0) throw new Error(`${sidecarOf(document.file)}: unknown field ${unknown.join(', ')}`);
  if (document.kind === 'jwks' || document.kind === 'token' || document.kind === 'api-errors') {
    for (const [id, outcome] of Object.entries(declaration.expect as Record<string, Outcome>)) {
      const extra = Object.keys(outcome).filter((field) => !OUTCOME_FIELDS.has(field));
      if (extra.length > 0) throw new Error(`${sidecarOf(document.file)}: ${id} has unknown field ${extra.join(', ')}`);
      if (!outcome.message?.length) throw new Error(`${sidecarOf(document.file)}: ${id} names no key fact of the message`);
      if ((outcome.status === 'warn' || outcome.status === 'fail') && (outcome.code === undefined || !outcome.hint?.length)) {
        throw new Error(`${sidecarOf(document.file)}: ${id} is a ${outcome.status}: declare its code and the key facts of its hint`);
      }
    }
  }
  return declaration as T;
}

describe('fixtures/documents: the catalogue is complete', () => {
  it.each(KINDS)('every %s document has its declaration, and every declaration its document', (kind) => {
    const files = readdirSync(path.join(DOCUMENTS, kind));
    const documents = documentsOf(kind);
    expect(documents.length).toBeGreaterThan(0);
    const missing = documents.filter((document) => !files.includes(sidecarOf(document.file))).map((document) => document.file);
    expect(missing, 'documents without a NAME.expect.json').toEqual([]);
    const claimed = documents.map((document) => sidecarOf(document.file));
    expect(new Set(claimed).size, 'two documents share one declaration name').toBe(claimed.length);
    const orphans = files.filter((file) => file.endsWith(SIDECAR) && !claimed.includes(file));
    expect(orphans, 'declarations without their document').toEqual([]);
  });

  it('names every document in fixtures/documents/README.md', () => {
    const readme = readFileSync(path.join(DOCUMENTS, 'README.md'), 'utf8');
    const unlisted = KINDS.flatMap((kind) => documentsOf(kind).map((document) => `${kind}/${document.file}`)).filter((name) => !readme.includes(`\`${name}\``));
    expect(unlisted).toEqual([]);
  });
});

const CONTENT_TYPES = new Map([
  ['.json', 'application/json'],
  ['.html', 'text/html; charset=utf-8'],
  ['.txt', 'text/plain; charset=utf-8'],
]);

/** Answers `/<kind>/<file>` (and any path below it) with that document, as its declaration says. */
function serveDocuments(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  const [, kind, file] = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname).split('/');
  const document = kind && file ? documentsOf(kind as Kind).find((candidate) => candidate.file === file) : undefined;
  if (document === undefined) return void response.writeHead(404).end();
  const { serve = {} } = declarationOf<OnlineDeclaration>(document);
  const body = readFileSync(document.path);
  const contentType = serve.contentType ?? CONTENT_TYPES.get(path.extname(file!)) ?? 'application/octet-stream';
  response.writeHead(serve.status ?? 200, { 'content-type': contentType, 'content-length': String(body.length), ...serve.headers }).end(body);
}

type Server = HttpServer | HttpsServer;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** `{url}` and `{host}` in a declared text stand for where the document was served. */
function placed(text: string, url: string): string {
  return text.replaceAll('{url}', url).replaceAll('{host}', new URL(url).host);
}

function expectOutcome(id: string, result: Pick<CheckReport, 'status' | 'code' | 'message' | 'hint' | 'evidence'> | undefined, outcome: Outcome, url: string): void {
  expect(result, `${id} did not run`).toBeDefined();
  const { status, code, message, hint, evidence } = result!;
  expect({ id, status, code }).toEqual({ id, status: outcome.status, code: outcome.code });
  for (const fact of outcome.message) expect(message).toContain(placed(fact, url));
  for (const fact of outcome.hint ?? []) expect(hint).toContain(placed(fact, url));
  if (outcome.evidence) expect(evidence).toMatchObject(outcome.evidence);
}

describe.concurrent('fixtures/documents/jwks: served on 127.0.0.1 to jwks.fetch', () => {
  let server: Server | undefined;
  let origin = '';
  beforeAll(async () => {
    server = createHttpServer(serveDocuments);
    origin = `http://${await listen(server)}`;
  });
  afterAll(() => close(server));

  it.each(documentsOf('jwks'))('$file', async (document) => {
    const declaration = declarationOf<OnlineDeclaration>(document);
    const url = `${origin}/jwks/${encodeURIComponent(document.file)}`;
    const result = await fetchJwks(url);
    expect(Object.keys(declaration.expect)).toEqual(['jwks.fetch']);
    expectOutcome('jwks.fetch', result, declaration.expect['jwks.fetch']!, url);
    // Private key members never travel on to the key checks, nor into the report.
    const published = JSON.stringify(result);
    for (const member of ['"d"', '"p"', '"q"', '"dp"', '"dq"', '"qi"']) expect(published).not.toContain(`${member}:`);
  });
});

describe.concurrent('fixtures/documents/token and api-errors: answered by a host trusted like the sandbox', () => {
  let sandbox: Sandbox | undefined;
  let server: Server | undefined;
  let origin = '';
  beforeAll(async () => {
    sandbox = await startSandbox({ quiet: true });
    server = createHttpsServer(await sandboxServerCertificate(sandbox, 'CN=documents.local'), serveDocuments);
    origin = `https://${await listen(server)}`;
  });
  afterAll(async () => {
    await close(server);
    await sandbox?.close();
  });

  const cases = [...documentsOf('token'), ...documentsOf('api-errors')];
  it.each(cases)('$kind/$file', async (document) => {
    const declaration = declarationOf<OnlineDeclaration>(document);
    const url = `${origin}/${document.kind}/${encodeURIComponent(document.file)}`;
    const source = sandbox!.configs[declaration.config ?? 'client_secret_post-tls'];
    expect(source, `no sandbox config ${declaration.config}`).toBeDefined();
    const endpoint = document.kind === 'token' ? { token: url } : { api: url };
    const config = configVariant(source!, { ...declaration.configChanges, endpoints: endpoint });
    const results = await runOnline(config, sandboxEnv(sandbox!), { only: Object.keys(declaration.expect) });
    for (const [id, outcome] of Object.entries(declaration.expect)) expectOutcome(id, results[id], outcome, url);
  });
});

describe.concurrent('fixtures/documents/postman: golive init --from-postman (built binary)', () => {
  const root = tempDir('golive-documents-');
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build before these tests`);
  });

  it.each(documentsOf('postman'))('$file', async (document) => {
    const declaration = declarationOf<PostmanDeclaration>(document);
    const dir = path.join(root, document.file);
    await mkdir(dir, { recursive: true });
    await copyFile(document.path, path.join(dir, document.file));
    for (const [base, kind] of Object.entries(declaration.credentials ?? {})) {
      const made = await issue({ key: kind === 'rsa' ? { kind: 'rsa', bits: 2048 } : { kind: 'ec' } });
      await mkdir(path.join(dir, path.dirname(base)), { recursive: true });
      await writeFile(path.join(dir, `${base}.key`), made.keyPem, { mode: 0o600 });
      await writeFile(path.join(dir, `${base}.pem`), made.certPem);
    }

    const result = await golive(['init', 'golive.yaml', '--from-postman', document.file, ...(declaration.args ?? [])], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(declaration.expect.exitCode);
    for (const line of declaration.expect.stdout) expect(result.stdout).toContain(line);
    const yaml = await readFile(path.join(dir, 'golive.yaml'), 'utf8');
    expect(parse(yaml)).toMatchObject(declaration.expect.config);
    // The values Postman marks secret reach no output and no config.
    const exported = JSON.parse(await readFile(document.path, 'utf8')) as { values: { value: string; type?: string }[] };
    for (const { value } of exported.values.filter((variable) => variable.type === 'secret' && !/\.(key|pem)$/.test(variable.value))) {
      for (const text of [result.stdout, yaml]) expect(text).not.toContain(value);
    }

    if (declaration.check) {
      const check = await golive(['check', '--offline', '--format', 'json', 'golive.yaml'], dir, declaration.check.env ?? {});
      const report = JSON.parse(check.stdout) as Report;
      const checks = report.runs[0]!.checks;
      const failed = checks.filter((entry) => entry.status === 'fail');
      expect(failed, JSON.stringify(failed)).toEqual([]);
      for (const id of declaration.check.pass) expect({ id, status: checks.find((entry) => entry.id === id)?.status }).toEqual({ id, status: 'pass' });
    }
  });
});

describe.concurrent('fixtures/documents/reports: valid against the report schema, rendered by golive report', () => {
  const validate = new Ajv({ allErrors: true }).compile(reportSchema);

  it.each(documentsOf('reports'))('$file', async (document) => {
    const declaration = declarationOf<ReportDeclaration>(document);
    const report = JSON.parse(await readFile(document.path, 'utf8')) as Report;
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.status).toBe(declaration.expect.status);

    const shown = await golive(['report', document.path, '--format', 'plain'], ROOT);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    for (const line of declaration.expect.stdout) expect(shown.stdout).toContain(line);
    expect((await golive(['report', document.path, '--exit-code', '--format', 'json'], ROOT)).code).toBe(declaration.expect.exitCode);
  });
});
