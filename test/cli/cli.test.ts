import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { CHECK_IDS } from '../../checks/index.js';
import type { Report } from '../../src/report/types.js';
import { issue } from '../support/credentials.js';
import { CLI, ROOT, golive } from '../support/cli.js';

// End-to-end: the real built binary, spawned with a controlled environment
// (no TTY, no CI, NO_COLOR), in temporary folders.





const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;
const ANSI = /\u001b\[/;

let root: string;
let counter = 0;

async function freshDir(): Promise<string> {
  const dir = path.join(root, `case-${++counter}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build before these tests`);
  root = await mkdtemp(path.join(tmpdir(), 'golive-cli-'));
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe.concurrent('help and version', () => {
  it.each([[[]], [['--help']], [['-h']], [['help']]])('golive %j prints the main help and exits 0', async (args) => {
    const result = await golive(args, root);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: golive <command> \[options\]$/m);
    for (const command of ['check', 'diff', 'report', 'init', 'schema', 'explain', 'sandbox', 'demo', 'completion']) expect(result.stdout).toMatch(new RegExp(`^  golive ${command}\\b`, 'm'));
    expect(result.stdout).toMatch(/Exit codes: 0 ready/);
    expect(result.stdout).not.toMatch(ANSI);
  });

  it.each(['check', 'init', 'schema', 'explain'])('golive %s --help prints that command\'s help and exits 0', async (command) => {
    const result = await golive([command, '--help'], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^Usage: golive ${command}\\b`, 'm'));
  });

  it('check --help lists every documented option', async () => {
    const { stdout } = await golive(['check', '--help'], root);
    for (const option of ['--offline', '--only', '--skip', '--format', '--json', '--junit', '--markdown', '--env-file', '--timeout', '--strict', '--debug']) {
      expect(stdout).toContain(option);
    }
  });

  it('help check is the same as check --help', async () => {
    const [a, b] = await Promise.all([golive(['help', 'check'], root), golive(['check', '--help'], root)]);
    expect(a.stdout).toBe(b.stdout);
  });

  it.each([['--version'], ['-v']])('golive %s prints the package version alone', async (flag) => {
    const result = await golive([flag], root);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${packageJson.version}\n`);
    expect(result.stderr).toBe('');
  });
});

describe.concurrent('usage errors exit 2 with one line and a help pointer, never a stack', () => {
  it.each([
    [['chek'], /^golive: unknown command chek; did you mean check\?$/m, 'Run "golive --help" for usage.'],
    [['exlpain', 'x'], /did you mean explain\?/, 'Run "golive --help" for usage.'],
    [['frobnicate'], /^golive: unknown command frobnicate$/m, 'Run "golive --help" for usage.'],
    [['--bogus'], /^golive: unknown option --bogus$/m, 'Run "golive --help" for usage.'],
    [['check', '--bogus'], /--bogus/, 'Run "golive check --help" for usage.'],
    [['check', '--format', 'yaml'], /--format must be one of/, 'Run "golive check --help" for usage.'],
    [['check', '--timeout=-5'], /--timeout takes milliseconds/, 'Run "golive check --help" for usage.'],
    [['check', '--timeout', '600001'], /--timeout takes milliseconds from 1 to 600000; got 600001/, 'Run "golive check --help" for usage.'],
    [['check', '--only', 'nosuch'], /--only nosuch names no check/, 'Run "golive check --help" for usage.'],
    [['schema', 'nosuch'], /schema takes config or report/, 'Run "golive schema --help" for usage.'],
    [['schema', '--bogus'], /--bogus/, 'Run "golive schema --help" for usage.'],
    [['explain', 'nosuch'], /no check is called nosuch/, 'Run "golive explain --help" for usage.'],
    [['explain', 'token.reqest'], /did you mean token\.request\?/, 'Run "golive explain --help" for usage.'],
    [['init', '--environment', 'staging'], /--environment must be one of uat, production; got staging/, 'Run "golive init --help" for usage.'],
    [['init', '--auth-method', 'basic'], /--auth-method must be one of/, 'Run "golive init --help" for usage.'],
    [['init', 'a.yaml', 'b.yaml'], /init takes one file/, 'Run "golive init --help" for usage.'],
    [['init', '--bogus'], /--bogus/, 'Run "golive init --help" for usage.'],
  ])('golive %j', async (args, reason, pointer) => {
    const dir = await freshDir();
    const result = await golive(args, dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toContain(pointer);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(2);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(await readdir(dir)).toEqual([]);
  });

  it('an unwritable artifact path is a usage error without a stack, even with --debug', async () => {
    const dir = await freshDir();
    await mkdir(path.join(dir, 'report.json'));
    for (const extra of [[], ['--debug']]) {
      const result = await golive(['check', '--offline', '--json', 'report.json', ...extra], dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^golive: --json report\.json cannot be written \(EISDIR: it is a folder; name a file in it\)/);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
  });
});

describe.concurrent('golive init', () => {
  it('writes ./golive.yaml, then refuses to overwrite it without --force (exit 1, file unchanged)', async () => {
    const dir = await freshDir();
    const first = await golive(['init'], dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Wrote golive\.yaml\./);
    const file = path.join(dir, 'golive.yaml');
    await writeFile(file, '# mine\n');
    const before = await stat(file);

    const again = await golive(['init'], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('golive.yaml already exists; nothing written');
    expect(again.stderr).toContain('--force');
    expect(await readFile(file, 'utf8')).toBe('# mine\n');
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
    expect((await readdir(dir)).sort()).toEqual(['golive.yaml']);
  });

  it('--force overwrites, and says so', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'prod.yaml');
    await writeFile(file, '# mine\n');
    const result = await golive(['init', 'prod.yaml', '--force', '--environment', 'production'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Overwrote prod\.yaml\./);
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/^environment: production\b/m);
    expect(await readdir(dir)).toEqual(['prod.yaml']);
  });

  it('a path that cannot be written is a usage error (exit 2), not a golive bug', async () => {
    const dir = await freshDir();
    await writeFile(path.join(dir, 'some-file'), 'x');
    const result = await golive(['init', 'some-file/x.yaml'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^golive: some-file\/x\.yaml cannot be written \((ENOTDIR|EEXIST)\)/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('writes into a folder that does not exist yet', async () => {
    const dir = await freshDir();
    const result = await golive(['init', 'config/uat.yaml'], dir);
    expect(result.code).toBe(0);
    expect(await readFile(path.join(dir, 'config/uat.yaml'), 'utf8')).toMatch(/^profile: thredd\b/m);
  });

  it('--stdout prints the config and writes nothing, even when the file exists', async () => {
    const dir = await freshDir();
    await writeFile(path.join(dir, 'golive.yaml'), '# mine\n');
    const result = await golive(['init', '--stdout', '--connectivity', 'mtls'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^connectivity: mtls\b/m);
    expect(result.stdout).toMatch(/^transport:$/m);
    expect(await readFile(path.join(dir, 'golive.yaml'), 'utf8')).toBe('# mine\n');
    expect(await readdir(dir)).toEqual(['golive.yaml']);
  });

  it('never writes a secret inline: every secret is a ${VAR}', async () => {
    const result = await golive(['init', '--stdout', '--auth-method', 'client_secret_basic'], root);
    expect(result.stdout).toMatch(/^ {2}secret: "\$\{THREDD_CLIENT_SECRET\}"/m);
  });

  it('every starter config, once its variables are set and its files exist, passes every offline check', async () => {
    const dir = await freshDir();
    // Not "test" in the subject: a Production config rightly fails certificates from test CAs.
    const subject = 'CN=acme-client, O=Example Ltd, C=GB';
    const signing = await issue({ subject, key: { kind: 'rsa', bits: 2048 } });
    const transport = await issue({ subject, key: { kind: 'rsa', bits: 2048 }, extKeyUsage: ['clientAuth'] });
    for (const environment of ['uat', 'production']) {
      const files = {
        [`certs/${environment}/signing.pem`]: signing.certPem,
        [`certs/${environment}/signing.key`]: signing.keyPem,
        [`certs/${environment}/transport.pem`]: transport.certPem,
        [`certs/${environment}/transport.key`]: transport.keyPem,
      };
      for (const [name, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await writeFile(path.join(dir, name), content, { mode: 0o600 });
      }
    }
    const configs: string[] = [];
    for (const authMethod of ['private_key_jwt', 'client_secret_post', 'client_secret_basic']) {
      for (const connectivity of ['tls', 'mtls']) {
        for (const environment of ['uat', 'production']) {
          const name = `${environment}-${connectivity}-${authMethod}.yaml`;
          const args = ['init', name, '--auth-method', authMethod, '--connectivity', connectivity, '--environment', environment];
          const written = await golive(args, dir);
          expect(written.code, name).toBe(0);
          configs.push(name);
        }
      }
    }
    const env = {
      THREDD_ORG_ID: 'org-1234',
      THREDD_CLIENT_ID: '6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11',
      THREDD_CLIENT_SECRET: 'a-client-secret-value',
      // The Production starters read their own variables.
      THREDD_PROD_ORG_ID: 'org-5678',
      THREDD_PROD_CLIENT_ID: '0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70',
      THREDD_PROD_CLIENT_SECRET: 'a-production-client-secret-value',
    };
    const result = await golive(['check', '--offline', '--strict', '--format', 'json', ...configs], dir, env);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.runs).toHaveLength(configs.length);
    for (const run of report.runs) {
      const notPassing = run.checks
        .filter((check) => check.id.startsWith('config.') || check.id.startsWith('signing.') || check.id.startsWith('transport.'))
        .filter((check) => check.status !== 'pass' && !check.message?.startsWith('not applicable'))
        .map((check) => `${check.id}: ${check.message}`);
      expect(notPassing, run.config.path).toEqual([]);
    }
    expect(result.code).toBe(0);
  });

  it('the starter config, before anything is filled in, names the missing variables (config.references)', async () => {
    const dir = await freshDir();
    await golive(['init'], dir);
    const result = await golive(['check', '--offline', '--format', 'json'], dir);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    const statuses = Object.fromEntries(report.runs[0]!.checks.map((check) => [check.id, check.status]));
    expect(statuses).toMatchObject({ 'config.parse': 'pass', 'config.schema': 'pass', 'config.references': 'fail' });
    const references = report.runs[0]!.checks.find((check) => check.id === 'config.references')!;
    expect(references.message).toContain('THREDD_ORG_ID');
  });
});

describe.concurrent('golive schema', () => {
  it.each([
    [[], 'https://golive.dev/schemas/config.schema.json'],
    [['config'], 'https://golive.dev/schemas/config.schema.json'],
    [['report'], 'https://golive.dev/schemas/report.schema.json'],
  ])('golive schema %j prints JSON with $id %s, byte-identical to the shipped file', async (args, id) => {
    const result = await golive(['schema', ...args], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const schema = JSON.parse(result.stdout) as { $id: string; $schema: string };
    expect(schema.$id).toBe(id);
    expect(schema.$schema).toMatch(/json-schema\.org/);
    const shipped = await readFile(path.join(ROOT, 'schemas', path.basename(new URL(id).pathname)), 'utf8');
    expect(result.stdout).toBe(shipped);
  });
});

describe.concurrent('golive explain', () => {
  it('explain token.request says what the check verifies', async () => {
    const result = await golive(['explain', 'token.request'], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^token\.request: /);
    expect(result.stdout).toContain('What it verifies');
    expect(result.stdout).not.toMatch(ANSI);
  });

  it.each([[['explain', '--list']], [['explain']]])('golive %j lists every check id in table order', async (args) => {
    const result = await golive(args, root);
    expect(result.code).toBe(0);
    const ids = result.stdout
      .split('\n')
      .map((line) => line.split(/\s+/)[0])
      .filter((word) => word && (CHECK_IDS as readonly string[]).includes(word));
    expect(ids).toEqual([...CHECK_IDS]);
  });

  it.each([...CHECK_IDS])('explain %s works', async (id) => {
    const result = await golive(['explain', id], root);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(`${id}: `)).toBe(true);
  });

  it('explain nosuch exits 2', async () => {
    const result = await golive(['explain', 'nosuch'], root);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('golive explain --list');
  });

  it('explain --list shows the same titles as reports', async () => {
    const list = (await golive(['explain', '--list'], root)).stdout;
    const report = JSON.parse((await golive(['check', '--offline', '--format', 'json', 'nosuch.yaml'], root)).stdout) as {
      runs: { checks: { id: string; title: string }[] }[];
    };
    for (const check of report.runs[0]!.checks) expect(list).toMatch(new RegExp(`^${check.id.replace('.', '\\.')}\\s+${check.title}$`, 'm'));
  });
});
