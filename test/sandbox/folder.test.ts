import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SandboxFilesExistError, startSandbox, WriteError } from '../../src/sandbox/index.js';
import { golive } from '../support/cli.js';
import { tempDir } from '../support/config-files.js';

// `golive sandbox --dir DIR` writes keys, certificates, configs and an env
// file into a folder the user names: it never overwrites a file it did not
// write itself (nor one changed since), unless told to with --force.

const root = tempDir('golive-sandbox-folder-');
let counter = 0;

/** A fresh folder holding the user's own files. */
async function userFolder(files: Record<string, string>): Promise<string> {
  const dir = path.join(root, `case-${++counter}`);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

async function listing(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

const USER_FILES = { 'certs/signing.key': 'MY OWN KEY\n', 'sandbox.env': 'MINE=1\n', 'private_key_jwt-tls.yaml': 'my: config\n', 'notes.txt': 'unrelated\n' };

describe('a sandbox folder the user already uses', () => {
  it('refuses to start, listing the files it would overwrite, and writes nothing', async () => {
    const dir = await userFolder(USER_FILES);
    const before = await listing(dir);
    const refused = await startSandbox({ dir, quiet: true }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(SandboxFilesExistError);
    expect((refused as SandboxFilesExistError).files).toEqual(['certs/signing.key', 'private_key_jwt-tls.yaml', 'sandbox.env']);
    expect(await listing(dir)).toEqual(before);
    for (const [name, content] of Object.entries(USER_FILES)) expect(await readFile(path.join(dir, name), 'utf8')).toBe(content);
  });

  it('refuses a link in place of a key rather than writing through it', async () => {
    const dir = await userFolder({ 'elsewhere/id_rsa': 'PRECIOUS\n' });
    await mkdir(path.join(dir, 'certs'));
    await symlink('../elsewhere/id_rsa', path.join(dir, 'certs/transport.key'));
    await expect(startSandbox({ dir, quiet: true })).rejects.toMatchObject({ files: ['certs/transport.key'] });
    expect(await readFile(path.join(dir, 'elsewhere/id_rsa'), 'utf8')).toBe('PRECIOUS\n');
    expect(await readlink(path.join(dir, 'certs/transport.key'))).toBe('../elsewhere/id_rsa');
  });

  it('with force, overwrites them (a link is replaced, not written through), and starts', async () => {
    const dir = await userFolder({ ...USER_FILES, 'elsewhere/id_rsa': 'PRECIOUS\n' });
    await symlink('../elsewhere/id_rsa', path.join(dir, 'certs/transport.key'));
    const sandbox = await startSandbox({ dir, force: true, quiet: true });
    try {
      expect(await readFile(path.join(dir, 'certs/signing.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect((await lstat(path.join(dir, 'certs/transport.key'))).isFile()).toBe(true);
      expect(await readFile(path.join(dir, 'elsewhere/id_rsa'), 'utf8')).toBe('PRECIOUS\n');
      expect((await stat(path.join(dir, 'sandbox.env'))).mode & 0o777).toBe(0o600);
      expect(await readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('unrelated\n');
    } finally {
      await sandbox.close();
    }
  });

  it('restarts in its own folder, but not over a config the user edited since', async () => {
    const dir = await userFolder({});
    const first = await startSandbox({ dir, quiet: true, faults: ['expired-signing-certificate'] });
    await first.close();
    // The fault left the expired certificate in certs/signing.pem: still the sandbox's own file.
    const again = await startSandbox({ dir, quiet: true });
    await again.close();
    await writeFile(path.join(dir, 'client_secret_post-tls.yaml'), '# my edits\n', { flag: 'a' });
    await expect(startSandbox({ dir, quiet: true })).rejects.toMatchObject({ files: ['client_secret_post-tls.yaml'] });
    expect(await readFile(path.join(dir, 'client_secret_post-tls.yaml'), 'utf8')).toMatch(/# my edits\n$/);
  });
});

describe('a folder that cannot be made', () => {
  it('fails at once under /proc, where a recursive mkdir never settles', async () => {
    await expect(startSandbox({ dir: '/proc/nope', quiet: true })).rejects.toBeInstanceOf(WriteError);
    const result = await golive(['sandbox', '--dir', '/proc/nope/sandbox'], root);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^golive: --dir \/proc\/nope\/sandbox cannot be used \(ENOENT: the folder \/proc\/nope cannot be created\)\n/);
  }, 30_000);
});

describe('golive sandbox --dir', () => {
  it('exits 1 listing the files in the way, nothing written; --help documents --force', async () => {
    const dir = await userFolder(USER_FILES);
    const before = await listing(dir);
    const result = await golive(['sandbox', '--dir', dir], root);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toBe(
      `golive sandbox: ${dir} already holds files a sandbox did not write (or that changed since):\n` +
        '  certs/signing.key\n  private_key_jwt-tls.yaml\n  sandbox.env\n' +
        'Nothing was written. Use --force to overwrite them, or name an empty or new --dir.\n',
    );
    expect(await listing(dir)).toEqual(before);
    const help = await golive(['sandbox', '--help'], root);
    expect(help.stdout).toMatch(/--force\s+overwrite those files in DIR instead/);
    expect(help.stdout).toMatch(/never overwritten/);
  });
});
