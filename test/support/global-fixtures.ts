import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { generateFixturePki } from '../../scripts/fixtures.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** fixtures/pki generated once for the run, on its clock (test/support/fixtures.ts links it beside the configs). */
    fixturePki: string;
  }
}

/**
 * Generates the fixture keys and certificates once per test run: each test
 * file that reads the catalogue links this one folder instead of generating
 * its own (about 2 s of RSA key generation each).
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'golive-fixture-pki-'));
  project.provide('fixturePki', await generateFixturePki(path.join(dir, 'pki')));
  return () => rmSync(dir, { recursive: true, force: true });
}
