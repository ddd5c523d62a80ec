import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE_ENV, CLI } from '../support/cli.js';
import { tempDir, VALID_ENV, VALID_JWT_CONFIG, writeConfig, SIGNING_FILES } from '../support/config-files.js';

// `golive check | head -c 1`: the reader closes the pipe after the first
// bytes. golive must still finish (artifacts written, its own exit code)
// and never print a stack trace for the broken pipe.

const dir = tempDir('golive-epipe-');

describe('stdout closed by its reader', () => {
  it('ends the run quietly with its exit code and its artifacts', async () => {
    expect(existsSync(CLI)).toBe(true);
    const config = writeConfig(dir, VALID_JWT_CONFIG, { files: SIGNING_FILES });
    const report = path.join(dir, 'report.json');
    const child = spawn(process.execPath, ['--', CLI, 'check', '--offline', '--format', 'json', '--json', report, config], {
      cwd: dir,
      env: { ...BASE_ENV, HOME: dir, ...VALID_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Close our end before golive writes, as a `head` that has had enough does.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect([0, 1]).toContain(code);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ schemaVersion: 1 });
  });
});

describe('stdout that fails to take the report', () => {
  it.runIf(existsSync('/dev/full'))('exits 3 with one line naming the error (a full disk, /dev/full)', async () => {
    const config = writeConfig(dir, VALID_JWT_CONFIG, { files: SIGNING_FILES });
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, ['--', CLI, 'check', '--offline', config], {
        cwd: dir,
        env: { ...BASE_ENV, HOME: dir, ...VALID_ENV },
        stdio: ['ignore', full, 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).toBe('golive: the output could not be written (ENOSPC)\n');
      expect(code).toBe(3);
    } finally {
      closeSync(full);
    }
  });
});
