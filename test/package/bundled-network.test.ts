import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createSecureServer } from 'node:http2';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAst } from 'rollup/parseAst';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createCa, issueCertificate } from '../../src/sandbox/pki.js';
import { BASE_ENV, DIST, ROOT, type CliResult } from '../support/cli.js';

// undici and jose are bundled (tsup.config.ts, scripts/bundle-plugins.ts):
// the build imports no package the published manifest does not declare, an
// online check runs from the built files with neither package installed, and
// undici's HTTP parser is compiled as src/net/wasm-baseline.ts says.

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const builtFiles = (): string[] => readdirSync(DIST).filter((file) => file.endsWith('.js'));

/** Every module specifier a built file imports, statically or with import(). */
function specifiersOf(code: string): string[] {
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const { type, source } = node as { type?: string; source?: { type: string; value: unknown } };
    if (type?.startsWith('Import') || type?.startsWith('Export')) {
      if (source?.type === 'Literal' && typeof source.value === 'string') found.push(source.value);
    }
    Object.values(node).forEach(visit);
  };
  visit(parseAst(code.replace(/^#!.*\n/, '')));
  return found;
}

describe('the build', () => {
  it('imports only built-ins, its own files and the packages package.json declares (undici and jose are inside)', () => {
    const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);
    expect(declared).not.toContain('undici');
    expect(declared).not.toContain('jose');
    const imported = new Set(builtFiles().flatMap((file) => specifiersOf(readFileSync(path.join(DIST, file), 'utf8'))));
    expect(imported).toContain('listr2');
    const undeclared = [...imported].filter((id) => !id.startsWith('./') && !isBuiltin(id) && !declared.has(id.replace(/^((@[^/]+\/)?[^/]+).*/, '$1')));
    expect(undeclared).toEqual([]);
  });

  it('holds the code only the online checks run in one file, which neither the sandbox nor --curl loads (scripts/merge-chunks.mjs)', () => {
    const code = new Map(builtFiles().map((file) => [file, readFileSync(path.join(DIST, file), 'utf8')]));
    const definedIn = (name: string): string[] => [...code].filter(([, text]) => new RegExp(`\\bfunction ${name}\\(`).test(text)).map(([file]) => file);
    // One function of each part: the checks' network code, the session, the OAuth and JWKS readings, undici.
    const online = ['checkEndpoint', 'openHttpSession', 'probeEndpoint', 'readAnswer', 'parseJwks', 'matchKeyToJwks', 'prepareCredentials', 'explainTokenError', 'viewAccessToken', 'lazyllhttp'];
    const files = new Set(online.flatMap(definedIn));
    expect(files.size, [...files].join(', ')).toBe(1);
    const [chunk] = files;
    for (const other of ['startSandbox', 'curlScript']) {
      const [file] = definedIn(other);
      expect(file, other).toBeDefined();
      expect(specifiersOf(code.get(file!)!), other).not.toContain(`./${chunk}`);
    }
  });

  it("has no esbuild __require shim, which throws in an ES module: undici's require('node:…') calls read process.getBuiltinModule", () => {
    expect(builtFiles().filter((file) => /\b__require\b/.test(readFileSync(path.join(DIST, file), 'utf8')))).toEqual([]);
  });
});

describe('an online check from the built files alone', () => {
  let sandbox: Sandbox;
  let root: string;
  let cli: string;
  let run: CliResult;

  beforeAll(async () => {
    if (!existsSync(path.join(DIST, 'cli.js'))) throw new Error(`${DIST}/cli.js is missing: build first (npx tsup --out-dir DIR, GOLIVE_DIST=DIR)`);
    sandbox = await startSandbox({ quiet: true });
    // The published layout, with the production dependencies only (test/package/install.test.ts lays it out the same way).
    root = await mkdtemp(path.join(tmpdir(), 'golive-bundled-'));
    const installed = path.join(root, 'node_modules', 'golive');
    await mkdir(installed, { recursive: true });
    await cp(DIST, path.join(installed, 'dist'), { recursive: true });
    await cp(path.join(ROOT, 'package.json'), path.join(installed, 'package.json'));
    for (const name of Object.keys(manifest.dependencies)) await symlink(path.join(ROOT, 'node_modules', name), path.join(root, 'node_modules', name), 'dir');
    cli = path.join(installed, 'dist', 'cli.js');
    // V8 prints a line for each WebAssembly function it compiles, and the compiler it used.
    const args = ['--trace-wasm-compilation-times', '--', cli, 'check', '--env-file', sandbox.envFile, sandbox.configs['private_key_jwt-mtls']!];
    run = await new Promise((resolve, reject) => {
      execFile(process.execPath, args, { cwd: root, env: { ...BASE_ENV, HOME: root }, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      });
    });
  });

  afterAll(async () => {
    await sandbox?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('passes every check, with undici and jose nowhere to be resolved', () => {
    const resolveFromGolive = createRequire(cli);
    for (const name of ['undici', 'jose']) expect(() => resolveFromGolive.resolve(name), name).toThrow(expect.objectContaining({ code: 'MODULE_NOT_FOUND' }));
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/19 passed, 0 warnings, 0 failed, 0 skipped/);
    expect(run.code).toBe(0);
  });

  it('says an install that lost its network code is broken (an internal error), not that a host failed', async () => {
    const dist = path.dirname(cli);
    const broken = path.join(root, 'broken');
    await cp(dist, broken, { recursive: true });
    // The chunk that holds undici: its HTTP parser is WebAssembly, inlined as base64 ("\0asm" is AGFzbQ).
    const undici = readdirSync(broken).filter((name) => name.endsWith('.js') && readFileSync(path.join(broken, name), 'latin1').includes('"AGFzbQ'));
    expect(undici).toHaveLength(1);
    rmSync(path.join(broken, undici[0]!));
    const args = ['--', path.join(broken, 'cli.js'), 'check', '--format', 'json', '--only', 'token.request', '--env-file', sandbox.envFile, sandbox.configs['client_secret_post-tls']!];
    const lost = await new Promise<CliResult>((resolve, reject) => {
      execFile(process.execPath, args, { cwd: root, env: { ...BASE_ENV, HOME: root }, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      });
    });
    const report = JSON.parse(lost.stdout) as { runs: Array<{ checks: Array<{ id: string; status: string; code?: string; message: string }> }> };
    // The first check that needs the network code says so; none blames a network layer.
    const failed = report.runs[0]!.checks.filter((check) => check.status === 'fail');
    expect(failed[0]).toMatchObject({ code: 'internal-error', message: expect.stringMatching(/^internal error in check (jwks|network|token)\./) });
    expect(lost.stdout).not.toMatch(/"layer"/);
  });

  it("talks HTTP/1.1 to a host that offers HTTP/2, without loading node:http2: undici's HTTP/2 client is out of reach (scripts/bundle-plugins.ts)", async () => {
    const ca = await createCa('CN=golive HTTP/2 host CA');
    const host = await issueCertificate({ subject: 'CN=127.0.0.1', issuer: ca, key: { kind: 'ec' }, ipAddresses: ['127.0.0.1'], extKeyUsage: ['serverAuth'] });
    const jwks = await (await fetch(sandbox.endpoints.jwks)).text();
    const versions: string[] = [];
    const server = createSecureServer({ cert: host.certPem, key: host.keyPem, allowHTTP1: true }, (request, response) => {
      versions.push(request.httpVersion);
      response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const config = readFileSync(sandbox.configs['client_secret_post-tls']!, 'utf8')
        .replace(/^( +jwks: ).*$/m, `$1https://127.0.0.1:${port}/{organisationId}/jwks.json`)
        .replace(/^( +ca: ).*$/m, '$1http2-host-ca.pem');
      await writeFile(path.join(sandbox.dir, 'http2-host-ca.pem'), ca.certPem);
      await writeFile(path.join(sandbox.dir, 'http2-host.yaml'), config);
      // Node's list of the built-in modules the process loaded, written as it exits.
      const loadList = path.join(root, 'modules-loaded.txt');
      const preload = path.join(root, 'list-modules.cjs');
      await writeFile(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loadList)}, process.moduleLoadList.join('\\n')));\n`);
      const args = ['--require', preload, '--', cli, 'check', '--format', 'json', '--only', 'jwks.fetch', '--env-file', sandbox.envFile, path.join(sandbox.dir, 'http2-host.yaml')];
      const checked = await new Promise<CliResult>((resolve, reject) => {
        execFile(process.execPath, args, { cwd: root, env: { ...BASE_ENV, HOME: root }, timeout: 60_000 }, (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number') reject(error);
          else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
        });
      });
      const report = JSON.parse(checked.stdout) as { runs: Array<{ checks: Array<{ id: string; status: string }> }> };
      expect(report.runs[0]!.checks.find((check) => check.id === 'jwks.fetch')?.status, checked.stdout).toBe('pass');
      expect(versions.length).toBeGreaterThan(0);
      expect(new Set(versions)).toEqual(new Set(['1.1']));
      const loaded = (await readFile(loadList, 'utf8')).split('\n');
      expect(loaded).toContain('NativeModule _http_client');
      expect(loaded.filter((name) => /\bhttp2\b/.test(name))).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("compiles undici's HTTP parser with Liftoff only: TurboFan's compile of it held the exit back 40-250 ms", () => {
    const compiled = run.stdout.split('\n').filter((line) => line.startsWith('Compiled function'));
    expect(compiled.filter((line) => / using Liftoff,/.test(line)).length).toBeGreaterThan(0);
    expect(compiled.filter((line) => !/ using Liftoff,/.test(line))).toEqual([]);
  });
});
