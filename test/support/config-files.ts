import { mkdtempSync, mkdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import configParse from '../../checks/config.parse.js';
import configSchema from '../../checks/config.schema.js';
import configReferences from '../../checks/config.references.js';
import configConsistency from '../../checks/config.consistency.js';
import type { CheckOutcome } from '../../src/pipeline/check.js';
import { DEFAULT_OPTIONS, type RunContext } from '../../src/pipeline/context.js';
import type { ParsedConfig, ResolvedConfig } from '../../src/config/types.js';
import { createHttpSession } from '../../src/net/http.js';

/** A temporary folder removed after the test file. */
export function tempDir(prefix = 'golive-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let counter = 0;

/** Writes a config (and any extra files, relative to it) into a fresh folder; returns the config path. */
export function writeConfig(
  dir: string,
  text: string,
  options: { name?: string; files?: Record<string, string | { content: string; mode: number }> } = {},
): string {
  const folder = path.join(dir, `case-${++counter}`);
  mkdirSync(folder, { recursive: true });
  for (const [name, file] of Object.entries(options.files ?? {})) {
    const target = path.join(folder, name);
    mkdirSync(path.dirname(target), { recursive: true });
    const content = typeof file === 'string' ? file : file.content;
    writeFileSync(target, content);
    chmodSync(target, typeof file === 'string' ? 0o600 : file.mode);
  }
  const file = path.join(folder, options.name ?? 'golive.yaml');
  writeFileSync(file, text);
  return file;
}

export function contextFor(configPath: string, env: Record<string, string> = {}, now = Date.now()): RunContext {
  return { configPath, env, options: { ...DEFAULT_OPTIONS, offline: true }, now: () => now, http: createHttpSession(env) };
}

/** Runs the config checks in order, stopping at the first that does not pass or warn. */
export async function runConfigChecks(
  configPath: string,
  env: Record<string, string> = {},
): Promise<Record<string, CheckOutcome>> {
  const ctx = contextFor(configPath, env);
  const results: Record<string, CheckOutcome> = {};
  const parse = await configParse.run(ctx, {} as never);
  results['config.parse'] = parse;
  if (parse.status !== 'pass') return results;
  const schema = await configSchema.run(ctx, { 'config.parse': parse.output as ParsedConfig });
  results['config.schema'] = schema;
  if (schema.status !== 'pass') return results;
  const references = await configReferences.run(ctx, { 'config.schema': schema.output as ParsedConfig });
  results['config.references'] = references;
  if (references.status === 'fail') return results;
  results['config.consistency'] = await configConsistency.run(ctx, {
    'config.references': references.output as ResolvedConfig,
  });
  return results;
}

/** A minimal valid private_key_jwt config for the thredd profile. */
export const VALID_JWT_CONFIG = `profile: thredd
environment: uat
connectivity: tls
region: 0
organisationId: "\${THREDD_ORG_ID}"
client:
  id: "\${THREDD_CLIENT_ID}"
  authMethod: private_key_jwt
signing:
  certificate: certs/signing.pem
  privateKey: certs/signing.key
  algorithm: PS256
`;

export const VALID_ENV = {
  THREDD_ORG_ID: 'org-123',
  THREDD_CLIENT_ID: '6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11',
};

export const SIGNING_FILES = { 'certs/signing.pem': 'cert', 'certs/signing.key': 'key' };
