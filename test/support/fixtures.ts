import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
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
 * fixtures/configs copied into a temporary folder, beside a link to the
 * run's fixture keys and certificates (generated once, on the run's clock, by
 * test/support/global-fixtures.ts): the configs name ../../pki/.... Returns
 * the folder; the caller removes it.
 */
export function makeFixtureWorkspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'golive-fixtures-'));
  cpSync(fixturePath('configs'), path.join(dir, 'configs'), { recursive: true });
  symlinkSync(inject('fixturePki'), path.join(dir, 'pki'));
  return dir;
}

/** makeFixtureWorkspace for a test file: made before its tests, removed after them. Call it at the top of the file. */
export function useFixtureWorkspace(): FixtureWorkspace {
  let dir: string | undefined;
  beforeAll(() => {
    dir = makeFixtureWorkspace();
  });
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
