import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { tempDir, VALID_ENV } from '../support/config-files.js';

// An unexpected failure after the run has learnt its secrets (rendering,
// --curl, writing artifacts) reaches the CLI's last-resort handler, which
// knows no secret. Its message and --debug stack are redacted first, by the
// command that knows them.

const SECRET = 'Canary-Internal-Secret~!(x)';
const dir = tempDir('golive-internal-error-');

const CONFIG = `profile: thredd
environment: uat
connectivity: tls
region: 0
organisationId: "\${THREDD_ORG_ID}"
client:
  id: "\${THREDD_CLIENT_ID}"
  authMethod: client_secret_post
  secret: "\${THREDD_CLIENT_SECRET}"
`;

/** A terminal whose stdout breaks with an error that quotes the secret, as a faulty library might. */
async function runWithBrokenStdout(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const io = {
    stdout: new Writable({ write: (_chunk, _encoding, done) => done() }),
    stderr: new Writable({ write: (chunk, _encoding, done) => ((stderr += String(chunk)), done()) }),
    env: { ...VALID_ENV, THREDD_CLIENT_SECRET: SECRET, NO_COLOR: '1' },
    cwd: dir,
  };
  io.stdout.write = (chunk: unknown): boolean => {
    throw new Error(`stdout broke while writing ${String(chunk).length} bytes for ${SECRET} (${encodeURIComponent(SECRET)})`);
  };
  const code = await main(args, io);
  return { code, stderr };
}

describe('an internal error after the run knows its secrets', () => {
  writeFileSync(path.join(dir, 'golive.yaml'), CONFIG);

  it.each([[['check', '--offline']], [['check', '--offline', '--debug']]])('%j: exit 3, message and stack redacted', async (args) => {
    const { code, stderr } = await runWithBrokenStdout(args);
    expect(code).toBe(3);
    expect(stderr).toMatch(/^golive: internal error: Error: stdout broke while writing \d+ bytes for \[redacted\] \(\[redacted\]\)\n/);
    expect(stderr).not.toContain(SECRET);
    expect(stderr).not.toContain(encodeURIComponent(SECRET));
    if (args.includes('--debug')) expect(stderr).toMatch(/\n\s+at /);
  });
});
