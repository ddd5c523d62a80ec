import { execFileSync, spawn } from 'node:child_process';
import { chmod, link, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issue } from '../support/credentials.js';
import { golive, type CliResult } from '../support/cli.js';

// Inputs are sacred, inputs are bounded (issue 8), end to end through the
// built binary: no report is ever written over a file the run reads, however
// the path is spelt; reports go through links and into FIFOs and devices
// without replacing them; inputs that are pipes, devices, huge or absurdly
// nested are refused at once instead of hanging or eating memory.

const CONFIG = `profile: thredd
environment: uat
connectivity: tls
region: 0
organisationId: org-1234
client:
  id: 6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11
  authMethod: private_key_jwt
signing:
  certificate: certs/signing.pem
  privateKey: certs/signing.key
  algorithm: PS256
http:
  ca: certs/ca.pem
`;

let root: string;
let files: Record<string, string>;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'golive-artifacts-'));
  const signing = await issue({ key: { kind: 'rsa', bits: 2048 } });
  files = { 'certs/signing.pem': signing.certPem, 'certs/signing.key': signing.keyPem, 'certs/ca.pem': signing.certPem, 'golive.yaml': CONFIG };
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** A fresh folder with the config, its key, certificate and CA file (keys 0600). */
async function caseDir(): Promise<string> {
  const dir = path.join(root, `case-${++counter}`);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
    await chmod(path.join(dir, name), name.endsWith('.key') ? 0o600 : 0o644);
  }
  return dir;
}

/** Every file below `dir` with its mode and content: what "untouched" compares. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const info = await lstat(file);
    const relative = path.relative(dir, file);
    if (info.isSymbolicLink()) out[relative] = `link -> ${await readlink(file)}`;
    else if (info.isFile()) out[relative] = `${(info.mode & 0o777).toString(8)} ${await readFile(file, 'utf8')}`;
    else out[relative] = info.isDirectory() ? 'folder' : 'special';
  }
  return out;
}

function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

/** A process reading a FIFO to its end. `read()` gives what it read, or stops it after 5 s: a test never hangs on it. */
function readFifo(fifo: string): { read(): Promise<string> } {
  const reader = spawn('cat', [fifo]);
  let text = '';
  reader.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const closed = new Promise<string>((resolve) => reader.on('close', () => resolve(text)));
  return {
    read: () => {
      const timer = setTimeout(() => reader.kill(), 5000);
      return closed.finally(() => clearTimeout(timer));
    },
  };
}

function expectRefused(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe.concurrent('no artifact is written over a file the run reads', () => {
  it.each([
    ['--json', 'certs/signing.key', 'signing.privateKey \\(certs/signing\\.key\\)', 'the private key, known only once the config is loaded'],
    ['--junit', 'certs/signing.pem', 'signing.certificate \\(certs/signing\\.pem\\)', 'the certificate'],
    ['--sarif', 'certs/ca.pem', 'http\\.ca \\(certs/ca\\.pem\\)', 'the CA file, which --offline never reads'],
    ['--json', 'link.yaml', 'the config golive\\.yaml', 'the config through a symbolic link'],
    ['--markdown', '/proc/self/cwd/golive.yaml', 'the config golive\\.yaml', 'the config through /proc/self/cwd'],
    ['--json', 'hard.key', 'signing.privateKey \\(certs/signing\\.key\\)', 'the private key through a hard link (same inode)'],
    ['--junit', 'certs/../certs/./signing.key', 'signing.privateKey \\(certs/signing\\.key\\)', 'the private key spelt another way'],
  ])('%s %s: refused, naming the input (%s), and nothing is written', async (flag, target, input) => {
    const dir = await caseDir();
    await symlink('golive.yaml', path.join(dir, 'link.yaml'));
    await link(path.join(dir, 'certs/signing.key'), path.join(dir, 'hard.key'));
    const before = await snapshot(dir);
    const result = await golive(['check', '--offline', flag, target], dir);
    expectRefused(result, new RegExp(`^golive: ${flag} ${target.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} would overwrite ${input}, an input of this run; name another file`));
    expect(await snapshot(dir)).toEqual(before);
  });

  it('a config named on the command line is refused as a report name even when it does not exist yet', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', 'new.yaml', '--json', './new.yaml'], dir);
    expectRefused(result, /^golive: --json \.\/new\.yaml would overwrite the config new\.yaml, an input of this run; name another file/);
    expect(result.stdout).toBe('');
    await expect(lstat(path.join(dir, 'new.yaml'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a key the run names but does not load (--only config) is refused too', async () => {
    const dir = await caseDir();
    const before = await snapshot(dir);
    const result = await golive(['check', '--offline', '--only', 'config', '--json', 'certs/signing.key'], dir);
    expectRefused(result, /would overwrite signing\.privateKey \(certs\/signing\.key\), an input of this run/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('one artifact over an input means no artifact at all', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', '--json', 'report.json', '--junit', 'certs/signing.key'], dir);
    expectRefused(result, /^golive: --junit certs\/signing\.key would overwrite signing\.privateKey/);
    await expect(stat(path.join(dir, 'report.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('golive diff refuses an artifact over a key either config names', async () => {
    const dir = await caseDir();
    await writeFile(path.join(dir, 'prod.yaml'), CONFIG.replace('environment: uat', 'environment: production'));
    const before = await snapshot(dir);
    const result = await golive(['diff', 'golive.yaml', 'prod.yaml', '--json', 'hard-to-spot/../certs/signing.key'], dir);
    expectRefused(result, /would overwrite signing\.privateKey \(certs\/signing\.key\), an input of this run/);
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe.concurrent('artifacts land where their path points, without replacing links, FIFOs or devices', () => {
  it('writes through a symbolic link, keeping the link and the 0600 mode of the file it points at', async () => {
    const dir = await caseDir();
    await mkdir(path.join(dir, 'out'));
    await writeFile(path.join(dir, 'out/real.json'), 'old', { mode: 0o600 });
    await chmod(path.join(dir, 'out/real.json'), 0o600);
    await symlink('out/real.json', path.join(dir, 'report.json'));
    const result = await golive(['check', '--offline', '--json', 'report.json'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect((await lstat(path.join(dir, 'report.json'))).isSymbolicLink()).toBe(true);
    expect(JSON.parse(await readFile(path.join(dir, 'out/real.json'), 'utf8'))).toMatchObject({ schemaVersion: 1 });
    expect((await stat(path.join(dir, 'out/real.json'))).mode & 0o777).toBe(0o600);
    expect((await readdir(path.join(dir, 'out'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('writes into a FIFO that a process reads, which stays a FIFO', async () => {
    const dir = await caseDir();
    mkfifo(path.join(dir, 'report.fifo'));
    const reader = readFifo(path.join(dir, 'report.fifo'));
    const result = await golive(['check', '--offline', '--junit', 'report.fifo'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(await reader.read()).toMatch(/^<\?xml[\s\S]*<\/testsuites>\s*$/);
    expect((await lstat(path.join(dir, 'report.fifo'))).isFIFO()).toBe(true);
  });

  it.each([
    ['/dev/fd/1', '/dev/fd/1'],
    ['a link to /dev/stdout', 'stdout.json'],
  ])('--json %s goes to stdout after the report, and the link stays a link', async (_name, target) => {
    const dir = await caseDir();
    await symlink('/dev/stdout', path.join(dir, 'stdout.json'));
    const result = await golive(['check', '--offline', '--json', target], dir);
    expect(result.code, result.stderr).toBe(0);
    const json = result.stdout.slice(result.stdout.indexOf('\n{\n') + 1);
    expect(result.stdout.indexOf('config.parse')).toBeLessThan(result.stdout.indexOf('\n{\n'));
    expect(JSON.parse(json)).toMatchObject({ schemaVersion: 1 });
    expect(await readlink(path.join(dir, 'stdout.json'))).toBe('/dev/stdout');
  });

  it('writes to a device through a link without replacing the link', async () => {
    const dir = await caseDir();
    await symlink('/dev/null', path.join(dir, 'null.json'));
    const result = await golive(['check', '--offline', '--json', 'null.json'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(await readlink(path.join(dir, 'null.json'))).toBe('/dev/null');
  });

  it('refuses a path ending in "/" instead of writing a file of that name', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', '--json', 'sub/'], dir);
    expectRefused(result, /^golive: --json sub\/ cannot be written \(EISDIR: the path ends in "\/", so it names a folder; give a file name\); the report above is complete/);
    await expect(lstat(path.join(dir, 'sub'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails at once on a folder that cannot be created (/proc/nope), where it used to spin forever', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', '--junit', '/proc/nope/j.xml'], dir);
    expectRefused(result, /^golive: --junit \/proc\/nope\/j\.xml cannot be written \(ENOENT: the folder \/proc\/nope cannot be created\); the report above is complete/);
  });
});

describe.concurrent('inputs that are not small regular files are refused at once', () => {
  it('a FIFO as the config fails config.parse, naming the kind of file, instead of waiting for a writer', async () => {
    const dir = await caseDir();
    mkfifo(path.join(dir, 'fifo.yaml'));
    const result = await golive(['check', '--offline', '--format', 'json', 'fifo.yaml'], dir);
    expect(result.code, result.stderr).toBe(1);
    const parse = (JSON.parse(result.stdout) as { runs: { checks: { id: string; status: string; message: string }[] }[] }).runs[0]!.checks[0]!;
    expect(parse).toMatchObject({ id: 'config.parse', status: 'fail', message: 'fifo.yaml is a FIFO (named pipe), not a regular file; golive reads a config only from a regular file.' });
  });

  it('/dev/zero as the config fails config.parse as a character device instead of growing without end', async () => {
    const result = await golive(['check', '--offline', '/dev/zero'], await caseDir());
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/FAIL\s+config\.parse[\s\S]*zero is a character device, not a regular file/);
  });

  it('a FIFO as --env-file is a usage error', async () => {
    const dir = await caseDir();
    mkfifo(path.join(dir, 'vars.env'));
    expectRefused(await golive(['check', '--offline', '--env-file', 'vars.env'], dir), /^golive: --env-file vars\.env is a FIFO \(named pipe\), not a regular file\n/);
  });

  it('a FIFO as the report of golive report is refused (exit 2)', async () => {
    const dir = await caseDir();
    mkfifo(path.join(dir, 'report.json'));
    expectRefused(await golive(['report', 'report.json'], dir), /^golive: report\.json is a FIFO \(named pipe\), not a regular file\n$/);
  });

  it('an env file over 1 MiB and a report over 16 MiB are refused, naming their size and the limit', async () => {
    const dir = await caseDir();
    await writeFile(path.join(dir, 'big.env'), `A=${'x'.repeat(1024 * 1024)}\n`);
    expectRefused(
      await golive(['check', '--offline', '--env-file', 'big.env'], dir),
      /^golive: --env-file big\.env is 1\.0 MiB \(1048579 bytes\), over golive's limit of 1 MiB for this file\n/,
    );
    await writeFile(path.join(dir, 'big.json'), ' '.repeat(16 * 1024 * 1024 + 1));
    expectRefused(await golive(['report', 'big.json'], dir), /^golive: big\.json is 16\.0 MiB \(16777217 bytes\), over golive's limit of 16 MiB for this file\n$/);
  });

  it('a valid JSON config nested 500,000 deep fails config.parse as too deeply nested, not as invalid JSON', async () => {
    const dir = await caseDir();
    await writeFile(path.join(dir, 'deep.json'), `${'['.repeat(500_000)}${']'.repeat(500_000)}`);
    const result = await golive(['check', '--offline', 'deep.json'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('deep.json is nested more than 64 levels deep (at line 1, column 65); a golive config nests about five, so it was not parsed.');
    expect(result.stdout).not.toMatch(/call stack/);
  });
});
