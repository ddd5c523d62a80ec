import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE_ENV, CLI, type CliResult } from '../support/cli.js';
import { tempDir } from '../support/config-files.js';

// `--env-file` is golive's, however golive is launched. Node 20 to 24 read
// an `--env-file` anywhere in their own argv, even after the script name
// (nodejs/node#54232), and exit before any JavaScript runs when the file is
// missing; they stop at `--`. The bin's shebang passes `--`; `npx golive --`
// and `node dist/cli.js --` give golive a leading `--`, which it drops.

const dir = tempDir('golive-env-file-');
writeFileSync(path.join(dir, 'golive.yaml'), 'profile: thredd\n');
// A project that has golive installed, as npx finds it: its bin in node_modules/.bin.
writeFileSync(path.join(dir, 'package.json'), '{ "name": "a-client", "version": "1.0.0", "private": true }\n');
mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
symlinkSync(CLI, path.join(dir, 'node_modules', '.bin', 'golive'));

function run(file: string, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: dir, env: { ...BASE_ENV, HOME: dir, npm_config_update_notifier: 'false' }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const GOLIVE_ARGS = ['check', '--offline', '--env-file', 'nosuch.env'];

describe('a missing --env-file is golive\'s usage error (exit 2)', () => {
  it.each([
    ['the installed bin', CLI, GOLIVE_ARGS],
    ['node dist/cli.js --', process.execPath, [CLI, '--', ...GOLIVE_ARGS]],
    ['npx golive --', 'npx', ['--no-install', 'golive', '--', ...GOLIVE_ARGS]],
  ] as const)('through %s', async (_name, file, args) => {
    const result = await run(file, args);
    expect(result.stderr).toMatch(/^golive: --env-file nosuch\.env cannot be read \(ENOENT\)\nRun "golive check --help" for usage\.\n$/);
    expect(result.code).toBe(2);
  });

  it('a leading -- before any command is dropped, not taken for one', async () => {
    const result = await run(process.execPath, [CLI, '--', '--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
