import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_STACK, SANDBOX_STACK_INSTALL } from '../../src/sandbox/stack.js';
import { BASE_ENV, DIST, ROOT, type CliResult } from '../support/cli.js';
import { issue } from '../support/credentials.js';

// What `npm install golive` gives a user: the published files and the
// production dependencies, without the sandbox's server stack (optional peer
// dependencies) and without the build tools. No registry is reached: the
// install is laid out by hand from this checkout's node_modules.

interface Manifest {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const STACK = SANDBOX_STACK.map(({ name }) => name);
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe('package.json', () => {
  it('runs no lifecycle script on a user\'s install; the tarball is built by prepack', () => {
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(Object.hasOwn(manifest.scripts, script), script).toBe(false);
    expect(manifest.scripts['prepack']).toBe('npm run build');
    // A fresh clone has no dist/: `npm install && npm start` must still run the demo.
    expect(manifest.scripts['start']).toMatch(/^npm run build && node dist\/cli\.js demo$/);
  });

  it.each(STACK)('%s is an optional peer dependency (and a dev dependency for this repository), not a dependency', (name) => {
    expect(Object.hasOwn(manifest.dependencies, name)).toBe(false);
    expect(manifest.peerDependencies?.[name]).toBeDefined();
    expect(manifest.peerDependenciesMeta?.[name]?.optional).toBe(true);
    expect(manifest.devDependencies[name]).toBe(manifest.peerDependencies?.[name]);
  });

  it('the install command the sandbox prints asks for the majors package.json declares', () => {
    for (const { name, major } of SANDBOX_STACK) {
      expect(manifest.peerDependencies?.[name]).toMatch(new RegExp(`^\\^${major.replace('.', '\\.')}\\.`));
      expect(SANDBOX_STACK_INSTALL).toContain(` ${name}@${major}`);
    }
  });

  it('build-time packages are not dependencies: ajv (validators are precompiled) and yaml (bundled)', () => {
    expect(Object.hasOwn(manifest.dependencies, 'ajv')).toBe(false);
    expect(Object.hasOwn(manifest.dependencies, 'yaml')).toBe(false);
  });

  it('npm pack ships LICENSE, README, package.json and the schemas, nothing from src or test', async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    const [packed] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
    const files = packed!.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'schemas/config.schema.json', 'schemas/report.schema.json']));
    expect(files.filter((file) => /^(src|test|scripts)\//.test(file))).toEqual([]);
    expect(readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 golive contributors\n/);
  });
});

describe('golive installed with its production dependencies only', () => {
  let root: string;
  let cli: string;
  let project: string;

  /** Runs the lean install's golive in `cwd`. */
  function golive(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, ['--', cli, ...args], { cwd, env: { ...BASE_ENV, HOME: cwd, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      });
    });
  }

  beforeAll(async () => {
    if (!existsSync(path.join(DIST, 'cli.js'))) throw new Error(`${DIST}/cli.js is missing: build first (npm run build, or npx tsup --out-dir DIR with GOLIVE_DIST=DIR)`);
    root = await mkdtemp(path.join(tmpdir(), 'golive-lean-'));
    project = path.join(root, 'project');
    const installed = path.join(project, 'node_modules', 'golive');
    await mkdir(installed, { recursive: true });
    await cp(DIST, path.join(installed, 'dist'), { recursive: true });
    await cp(path.join(ROOT, 'schemas'), path.join(installed, 'schemas'), { recursive: true });
    await cp(path.join(ROOT, 'package.json'), path.join(installed, 'package.json'));
    // Each production dependency is a link into this checkout; Node follows it, so its own dependencies resolve there.
    for (const name of Object.keys(manifest.dependencies)) {
      await mkdir(path.dirname(path.join(project, 'node_modules', name)), { recursive: true });
      await symlink(path.join(ROOT, 'node_modules', name), path.join(project, 'node_modules', name), 'dir');
    }
    cli = path.join(installed, 'dist', 'cli.js');
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('cannot see the sandbox stack, ajv or yaml (the premise of the tests below)', () => {
    const resolveFromGolive = createRequire(cli);
    for (const name of [...STACK, 'ajv', 'yaml']) {
      expect(() => resolveFromGolive.resolve(name), name).toThrow(expect.objectContaining({ code: 'MODULE_NOT_FOUND' }));
    }
  });

  it('golive check --offline runs every offline check on a private_key_jwt + mTLS config', async () => {
    const signing = await issue({ key: { kind: 'rsa', bits: 2048 } });
    const transport = await issue({ key: { kind: 'ec' }, extKeyUsage: ['clientAuth'] });
    const dir = path.join(root, 'check');
    await mkdir(path.join(dir, 'certs'), { recursive: true });
    const files = { 'certs/signing.pem': signing.certPem, 'certs/signing.key': signing.keyPem, 'certs/transport.pem': transport.certPem, 'certs/transport.key': transport.keyPem };
    for (const [name, content] of Object.entries(files)) {
      await writeFile(path.join(dir, name), content, { mode: 0o600 });
      await chmod(path.join(dir, name), 0o600);
    }
    await writeFile(
      path.join(dir, 'golive.yaml'),
      [
        'profile: thredd',
        'environment: uat',
        'connectivity: mtls',
        'organisationId: "${THREDD_ORG_ID}"',
        'client:',
        '  id: "${THREDD_CLIENT_ID}"',
        '  authMethod: private_key_jwt',
        'signing:',
        '  certificate: certs/signing.pem',
        '  privateKey: certs/signing.key',
        '  algorithm: PS256',
        'transport:',
        '  certificate: certs/transport.pem',
        '  privateKey: certs/transport.key',
        '',
      ].join('\n'),
    );
    const result = await golive(['check', '--offline', '--format', 'json', 'golive.yaml'], dir, {
      THREDD_ORG_ID: 'org-1234',
      THREDD_CLIENT_ID: '6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { status: string; runs: Array<{ checks: Array<{ id: string; status: string }> }> };
    expect(report.status).toBe('pass');
    const ran = report.runs[0]!.checks.filter((check) => check.status !== 'skip');
    expect(ran.map((check) => check.id)).toEqual(expect.arrayContaining(['config.parse', 'config.schema', 'signing.key', 'signing.keypair', 'transport.keypair']));
    expect(ran.every((check) => check.status === 'pass')).toBe(true);
  });

  it('golive report reads a report without ajv (its schema is precompiled)', async () => {
    const dir = path.join(root, 'report');
    await mkdir(dir, { recursive: true });
    const made = await golive(['check', '--offline', '--json', 'report.json', 'missing.yaml'], dir);
    expect(made.code).toBe(1);
    const shown = await golive(['report', 'report.json', '--format', 'plain'], dir);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/config\.parse/);
    await writeFile(path.join(dir, 'broken.json'), readFileSync(path.join(dir, 'report.json'), 'utf8').replace('"schemaVersion"', '"extra": true, "schemaVersion"'));
    const refused = await golive(['report', 'broken.json'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('golive: broken.json is not a valid golive report: (top level) has an unknown field "extra"\n');
  });

  const missingMessage =
    'golive: golive sandbox and golive demo need oidc-provider, @peculiar/x509 and reflect-metadata, which a plain `npm install golive` leaves out; ' +
    'missing here: oidc-provider, @peculiar/x509 and reflect-metadata. ' +
    'Install them beside golive: npm install --save-dev oidc-provider@9 @peculiar/x509@2 reflect-metadata@0.2\n';

  it.each([['demo'], ['sandbox']])('golive %s says which packages are missing and the command to install them: exit 2, one line', async (command) => {
    const dir = path.join(root, command);
    await mkdir(dir, { recursive: true });
    const result = await golive([command], dir);
    expect(result.stderr).toBe(missingMessage);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
    // Nothing written: the check comes before the sandbox makes its folder.
    expect(await readdir(dir)).toEqual([]);
  });

  it('golive sandbox --help still lists the faults (the stack is loaded only to start)', async () => {
    const result = await golive(['sandbox', '--help'], project);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/key-not-in-jwks/);
  });
});
