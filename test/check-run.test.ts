import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHECKS } from '../checks/index.js';
import { checkConfigs } from '../src/check-run.js';
import { DEFAULT_OPTIONS, type RunOptions } from '../src/pipeline/context.js';
import type { RunnerEvent } from '../src/pipeline/runner.js';
import { REDACTED, Redactor } from '../src/redact.js';
import { tempDir, VALID_ENV, VALID_JWT_CONFIG, writeConfig } from './support/config-files.js';
import { issue } from './support/credentials.js';

// How a run's cost grows with its configs, counted rather than timed: the
// keys and certificates it parses, and how many configs hold theirs at once.

const parsed = { keys: 0, certificates: 0 };

// Counts what node:crypto parses: the loaders' imports of it read the module's
// exports at each call, which syncBuiltinESMExports points at these wrappers.
const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
const original = { createPrivateKey: crypto.createPrivateKey, X509Certificate: crypto.X509Certificate };

beforeAll(() => {
  crypto.createPrivateKey = (key) => {
    parsed.keys++;
    return original.createPrivateKey(key);
  };
  crypto.X509Certificate = class CountedCertificate extends original.X509Certificate {
    constructor(...args: ConstructorParameters<typeof original.X509Certificate>) {
      super(...args);
      parsed.certificates++;
    }
  };
  syncBuiltinESMExports();
});

afterAll(() => {
  Object.assign(crypto, original);
  syncBuiltinESMExports();
});

const dir = tempDir('golive-check-run-');
const NOW = Date.now();

/** `count` configs: half of them in one folder naming its key and certificate, half in folders of their own with copies. */
async function configs(count: number): Promise<string[]> {
  const signing = await issue();
  const files = { 'certs/signing.pem': signing.certPem, 'certs/signing.key': signing.keyPem };
  const first = writeConfig(dir, VALID_JWT_CONFIG, { files });
  return Array.from({ length: count }, (_, index) => {
    if (index % 2 === 1) return writeConfig(dir, VALID_JWT_CONFIG, { files });
    const beside = path.join(path.dirname(first), `config-${index}.yaml`);
    writeFileSync(beside, VALID_JWT_CONFIG);
    return beside;
  });
}

async function run(paths: string[], onEvent?: (index: number, event: RunnerEvent) => void, options: Partial<RunOptions> = { offline: true }) {
  return checkConfigs({ configs: paths, options: { ...DEFAULT_OPTIONS, ...options }, env: VALID_ENV, now: () => NOW, onEvent });
}

/** The most configs that held their keys and documents at once (from a config's first check's start to its last offline check's end), and the order they started in. */
async function overlap(paths: string[], options?: Partial<RunOptions>): Promise<{ most: number; order: number[] }> {
  const offline = new Set<string>(CHECKS.filter((check) => !check.online).map((check) => check.id));
  const left = paths.map(() => offline.size);
  const holding = new Set<number>();
  const order: number[] = [];
  let most = 0;
  await run(
    paths,
    (index, event) => {
      if (event.type === 'start' && left[index] === offline.size && !holding.has(index)) {
        holding.add(index);
        order.push(index);
        most = Math.max(most, holding.size);
      }
      if (event.type === 'end' && offline.has(event.result.id) && --left[index]! === 0) holding.delete(index);
    },
    options,
  );
  expect(left.every((count) => count === 0)).toBe(true);
  return { most, order };
}

describe('checkConfigs on many configs', () => {
  it('parses a key or certificate once however many configs name it, or copies of it', async () => {
    const [one, many] = [await configs(1), await configs(24)];
    parsed.keys = parsed.certificates = 0;
    const single = await run(one);
    const perConfig = { ...parsed };
    parsed.keys = parsed.certificates = 0;
    const report = (await run(many)).report;
    expect(single.report.status).toBe('pass');
    expect(report.runs.map((each) => each.status)).toEqual(many.map(() => 'pass'));
    expect(perConfig.keys).toBeGreaterThan(0);
    expect(parsed).toEqual(perConfig);
  });

  it('offline, runs the configs one after another, in the order given', async () => {
    const paths = await configs(16);
    const { most, order } = await overlap(paths);
    expect(order).toEqual(paths.map((_, index) => index));
    expect(most).toBe(1);
  });

  it('online, starts every config at once: their network checks share connections', async () => {
    // Only the checks that need no network, so the run stays on this machine.
    const paths = await configs(8);
    expect((await overlap(paths, { offline: false, only: ['config', 'signing'] })).most).toBe(paths.length);
  });

  it('redacts from an earlier config\'s results a secret a later config learns, and walks the report again only then', async () => {
    const [jwt] = await configs(1);
    // The second config takes the first one's client id as its client secret.
    const secretClient = writeConfig(
      dir,
      VALID_JWT_CONFIG.replace('authMethod: private_key_jwt', 'authMethod: client_secret_basic\n  secret: "${THREDD_CLIENT_ID}"').replace(/^signing:[\s\S]*$/m, ''),
    );
    const again = vi.spyOn(Redactor.prototype, 'deepAgain');
    try {
      const alone = (await run([jwt!])).report;
      expect(alone.runs[0]!.config.clientId).toBe(VALID_ENV.THREDD_CLIENT_ID);
      expect(again).not.toHaveBeenCalled();
      const { report } = await run([jwt!, secretClient]);
      expect(again).toHaveBeenCalledTimes(1);
      expect(report.runs[0]!.config.clientId).toBe(REDACTED);
      expect(JSON.stringify(report)).not.toContain(VALID_ENV.THREDD_CLIENT_ID);
    } finally {
      again.mockRestore();
    }
  });
});
