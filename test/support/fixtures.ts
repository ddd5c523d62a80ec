import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { generateFixturePki } from '../../scripts/fixtures.js';
import { parseEnvFile } from '../../src/config/interpolate.js';
import { ROOT } from './cli.js';

// Unit tests read their inputs from the fixtures/ catalogue (fixtures/README.md)
// rather than writing the same cases inline: one realistic file per case,
// which test/catalogue.test.ts and test/documents.test.ts also hold to its
// declared outcome.

const FIXTURES = path.join(ROOT, 'fixtures');

/** A catalogue file in place, e.g. fixturePath('configs/broken/environment-prod.yaml'). */
export function fixturePath(relPath: string): string {
  return path.join(FIXTURES, relPath);
}

/** The text of a catalogue file, e.g. fixtureText('documents/jwks/sign-in.html'). */
export function fixtureText(relPath: string): string {
  return readFileSync(fixturePath(relPath), 'utf8');
}

/** The variables of fixtures/configs/fixtures.env, the fake values every fixture config reads. */
export function fixtureEnv(): Record<string, string> {
  return parseEnvFile(fixtureText('configs/fixtures.env'));
}

/**
 * The file a `.expect` sidecar gives golive (its `# config:` line), relative
 * to fixtures/: 'configs/broken/certificate-as-config.expect' → 'pki/uat/signing.pem'.
 */
export function sidecarTarget(sidecar: string): string {
  const line = /^#\s*config:\s*(\S.*)$/m.exec(fixtureText(sidecar));
  if (!line) throw new Error(`${sidecar} has no "# config:" line`);
  return path.posix.normalize(path.posix.join(path.posix.dirname(sidecar), line[1]!.trim()));
}

export interface FixtureWorkspace {
  /** A path in the copy, relative to fixtures/: 'configs/broken/mtls-without-transport.yaml', 'pki/uat/signing.pem'. */
  path(relPath: string): string;
}

/**
 * For configs that name keys and certificates (../../pki/...): copies
 * fixtures/configs into a temporary folder beside a pki/ generated on this
 * test's clock, before the file's tests; removed after them. Call it at the
 * top of a test file.
 */
export function useFixtureWorkspace(): FixtureWorkspace {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'golive-fixtures-'));
    cpSync(fixturePath('configs'), path.join(dir, 'configs'), { recursive: true });
    await generateFixturePki(path.join(dir, 'pki'));
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    path(relPath) {
      if (!dir) throw new Error('the fixture workspace is made in beforeAll: use it inside a test');
      return path.join(dir, relPath);
    },
  };
}
