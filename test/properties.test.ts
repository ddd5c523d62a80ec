import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../checks/index.js';
import { checkConfigs } from '../src/check-run.js';
import { DEFAULT_OPTIONS } from '../src/pipeline/context.js';
import type { Report } from '../src/report/types.js';
import { expectFindingFields } from './support/report-invariants.js';
import { issue, pemBody } from './support/credentials.js';

// Whatever text the config holds and whatever bytes the credential files
// hold, a run ends in a report listing every check in order: it never
// throws, and a bad input is a finding, never "internal error in check".

// FC_SEED=n runs the properties with that seed: a failure prints its seed, so it can be replayed.
if (process.env.FC_SEED) fc.configureGlobal({ seed: Number(process.env.FC_SEED) });

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const ENV = {
  THREDD_ORG_ID: 'org-1234',
  THREDD_CLIENT_ID: '6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11',
  THREDD_CLIENT_SECRET: 'a-client-secret',
};
// debug: an internal error carries the exception, so a known bug can be told apart from a new one.
const OPTIONS = { ...DEFAULT_OPTIONS, offline: true, debug: true };

let dir: string;
let signingCertPem: string;
let signingKeyPem: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'golive-properties-'));
  mkdirSync(path.join(dir, 'certs'));
  const signing = await issue({ key: { kind: 'rsa', bits: 2048 }, notBefore: new Date(NOW - 86_400_000), notAfter: new Date(NOW + 365 * 86_400_000) });
  signingCertPem = signing.certPem;
  signingKeyPem = signing.keyPem;
  writeFileSync(path.join(dir, 'certs/signing.pem'), signingCertPem, { mode: 0o600 });
  writeFileSync(path.join(dir, 'certs/signing.key'), signingKeyPem, { mode: 0o600 });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const VALID_CONFIG = {
  profile: 'thredd',
  environment: 'uat',
  connectivity: 'tls',
  region: 0,
  organisationId: '${THREDD_ORG_ID}',
  client: { id: '${THREDD_CLIENT_ID}', authMethod: 'private_key_jwt', scopes: ['payments'] },
  signing: { certificate: 'certs/signing.pem', privateKey: 'certs/signing.key', algorithm: 'PS256' },
  http: { timeoutMs: 10000 },
  expiryWarningDays: 30,
};

async function run(file: string): Promise<Report> {
  const { report } = await checkConfigs({ configs: [file], options: OPTIONS, env: ENV, now: () => NOW });
  expectFindingFields(report);
  return report;
}

function expectWholeReport(report: Report): void {
  expect(report.runs).toHaveLength(1);
  expect(report.runs[0]!.checks.map((check) => check.id)).toEqual([...CHECK_IDS]);
  const internal = report.runs[0]!.checks
    .filter((check) => check.internalError || /internal error/.test(check.message ?? ''));
  expect(internal.map((check) => `${check.id}: ${check.message} ${JSON.stringify(check.evidence)}`)).toEqual([]);
  for (const check of report.runs[0]!.checks) {
    if (check.status !== 'pass') expect(typeof check.message, check.id).toBe('string');
  }
}

let fileCounter = 0;

/** Writes the text as a config (YAML or JSON by extension) and checks it. */
async function checkText(text: string | Buffer, extension: 'yaml' | 'json' = 'yaml'): Promise<Report> {
  const file = path.join(dir, `config-${++fileCounter}.${extension}`);
  writeFileSync(file, text);
  try {
    const report = await run(file);
    expectWholeReport(report);
    return report;
  } finally {
    rmSync(file, { force: true });
  }
}

type Edit = { kind: 'delete' | 'duplicate' | 'insert'; at: number; length: number; text: string };

const YAML_NOISE = fc.constantFrom(':', ' ', '\n', '  ', '- ', '{', '}', '[', ']', ',', '"', "'", '#', '&a', '*a', '!!', '|', '>', '${', '}', '\t', '?', '%YAML', '---', '...', '\\', '\u0000', '\uFEFF');

const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('delete', 'duplicate', 'insert'),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 12 }),
  text: fc.oneof(YAML_NOISE, fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 })),
});

function mutate(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const { kind, at, length, text: inserted } of edits) {
    const position = out.length === 0 ? 0 : at % out.length;
    if (kind === 'delete') out = out.slice(0, position) + out.slice(position + length);
    else if (kind === 'duplicate') out = out.slice(0, position + length) + out.slice(position, position + length) + out.slice(position + length);
    else out = out.slice(0, position) + inserted + out.slice(position);
  }
  return out;
}

const anyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 100 }),
  fc.string({ unit: YAML_NOISE, maxLength: 60 }),
);

const hugeNumber = fc.oneof(
  fc.constantFrom('1e400', '-1e400', '99999999999999999999999999', '0x7fffffffffffffff', '.inf', '-.inf', '.nan', '-0', '1e-400', '0o777', '1_000'),
  fc.double().map(String),
  fc.bigInt().map(String),
);

/** A valid config with some fields replaced by arbitrary values. */
const perturbedConfig = fc
  .record({
    path: fc.constantFrom(
      ['profile'],
      ['environment'],
      ['connectivity'],
      ['region'],
      ['organisationId'],
      ['client'],
      ['client', 'id'],
      ['client', 'authMethod'],
      ['client', 'scopes'],
      ['client', 'secret'],
      ['signing'],
      ['signing', 'certificate'],
      ['signing', 'privateKey'],
      ['signing', 'algorithm'],
      ['signing', 'kid'],
      ['transport'],
      ['endpoints'],
      ['endpoints', 'token'],
      ['probe'],
      ['http'],
      ['http', 'timeoutMs'],
      ['http', 'ca'],
      ['expiryWarningDays'],
    ),
    value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('${NOPE}', '${THREDD_CLIENT_SECRET}', 'certs', '/', '', 'mtls', 'custom', 'production', 'http://x', 'https://uat-api.thredd.com')),
  })
  .map(({ path: at, value }) => {
    const config = structuredClone(VALID_CONFIG) as Record<string, unknown>;
    let target = config;
    for (const key of at.slice(0, -1)) {
      if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    target[at[at.length - 1]!] = value;
    return config;
  });

describe('checkConfigs on arbitrary config text', () => {
  it('the unperturbed valid config passes (the properties below start from a working config)', async () => {
    const report = await checkText(stringify(VALID_CONFIG));
    expect(report.status).toBe('pass');
  });

  it('random strings, as YAML and as JSON', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, fc.constantFrom('yaml' as const, 'json' as const), async (text, extension) => {
        await checkText(text, extension);
      }),
      { numRuns: 150 },
    );
  });

  it('random documents serialised to YAML or JSON, then mangled', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue({ maxDepth: 4 }), perturbedConfig),
        fc.constantFrom('yaml' as const, 'json' as const),
        fc.array(edit, { maxLength: 6 }),
        async (document, extension, edits) => {
          const text = extension === 'json' ? JSON.stringify(document, null, 2) : stringify(document);
          await checkText(mutate(text ?? 'null', edits), extension);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the valid config with one field replaced by anything', async () => {
    await fc.assert(
      fc.asyncProperty(perturbedConfig, fc.boolean(), async (config, asJson) => {
        await checkText(asJson ? JSON.stringify(config) : stringify(config), asJson ? 'json' : 'yaml');
      }),
      { numRuns: 200 },
    );
  });

  it('the valid config text, mangled', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 8 }), async (edits) => {
        await checkText(mutate(stringify(VALID_CONFIG), edits));
      }),
      { numRuns: 150 },
    );
  });

  it('huge and odd numbers in every numeric field', async () => {
    await fc.assert(
      fc.asyncProperty(hugeNumber, fc.constantFrom('region', 'expiryWarningDays', 'timeoutMs', 'expectStatus', 'scopes'), async (number, field) => {
        const text = stringify(VALID_CONFIG)
          .replace(/^region: .*$/m, field === 'region' ? `region: ${number}` : 'region: 0')
          .replace(/^expiryWarningDays: .*$/m, field === 'expiryWarningDays' ? `expiryWarningDays: ${number}` : 'expiryWarningDays: 30')
          .replace(/^ {2}timeoutMs: .*$/m, field === 'timeoutMs' ? `  timeoutMs: ${number}` : '  timeoutMs: 10000')
          .concat(field === 'expectStatus' ? `probe:\n  expectStatus: [${number}]\n` : '')
          .replace(/^ {2}scopes:\n {4}- payments$/m, field === 'scopes' ? `  scopes: [${number}]` : '  scopes: [payments]');
        await checkText(text);
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    ['nested sequences', (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`],
    ['nested flow mappings', (depth: number) => `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`],
    ['nested block mappings', (depth: number) => Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n'],
    ['nested block sequences', (depth: number) => Array.from({ length: depth }, (_, i) => `${' '.repeat(i * 2)}-`).join('\n') + ' 1\n'],
    ['nested JSON arrays', (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`],
  ])('deeply %s', async (name, build) => {
    for (const depth of [50, 500, 3000]) {
      await checkText(build(depth), name.includes('JSON') ? 'json' : 'yaml');
    }
  });

  it('deeply nested config sections', async () => {
    const deep = (depth: number): unknown => (depth === 0 ? 'x' : { client: deep(depth - 1), signing: [deep(depth - 1 > 2 ? 0 : depth - 1)] });
    await checkText(stringify({ ...VALID_CONFIG, client: deep(200) }));
    await checkText(JSON.stringify({ ...VALID_CONFIG, endpoints: deep(300) }), 'json');
  });

  it('an unresolved alias and an alias bomb are config.parse failures', async () => {
    await checkText('a: *nosuch\n');
    await checkText('a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n');
  });

  it('anchors, aliases and merge keys', async () => {
    await checkText(`${stringify(VALID_CONFIG)}x: &x [*x]\n`);
    await checkText('client: &c\n  id: x\n  authMethod: private_key_jwt\n  self: *c\n');
    await checkText(`base: &base\n  certificate: certs/signing.pem\n  privateKey: certs/signing.key\n  algorithm: PS256\n${stringify({ ...VALID_CONFIG, signing: undefined }).replace(/^signing:.*$/m, '')}signing: *base\n`);
    await checkText(`defaults: &d {region: 0, environment: uat}\n<<: *d\n${stringify(VALID_CONFIG)}`);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('&a ', '*a', '&b ', '*b', '<<: *a', 'k: ', '- ', '\n', '  ', '[', ']', '{', '}', ', ', 'x'), { maxLength: 40 }), async (parts) => {
        await checkText(`a0: &a [1]\nb0: &b {k: v}\n${parts.join('')}`);
      }),
      { numRuns: 100 },
    );
  });

  it('duplicate keys, multiple documents, tags and BOMs', async () => {
    for (const text of [
      'region: 0\nregion: 1\n',
      `${stringify(VALID_CONFIG)}---\n${stringify(VALID_CONFIG)}`,
      '!!binary aGVsbG8=\n',
      'region: !!js/function "function(){}"\n',
      `\uFEFF${stringify(VALID_CONFIG)}`,
      `\uFEFF${JSON.stringify(VALID_CONFIG)}`,
      '%YAML 1.1\n---\nregion: 0\n',
      'client:\n  id: !custom x\n',
      '? [a, b]\n: c\n',
      '__proto__: {polluted: true}\nconstructor: {prototype: {polluted: true}}\n',
    ]) {
      await checkText(text, text.startsWith('\uFEFF{') ? 'json' : 'yaml');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('raw bytes as the config file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        await checkText(Buffer.from(bytes));
      }),
      { numRuns: 100 },
    );
  });
});

describe('checkConfigs on arbitrary credential files', () => {
  const CONFIG = stringify(VALID_CONFIG).replace('certs/signing.pem', 'certs/fuzz.pem').replace('certs/signing.key', 'certs/fuzz.key');

  async function checkCredentials(key: string | Buffer, certificate: string | Buffer): Promise<Report> {
    const id = ++fileCounter;
    const config = CONFIG.replace('certs/fuzz.pem', `certs/fuzz-${id}.pem`).replace('certs/fuzz.key', `certs/fuzz-${id}.key`);
    writeFileSync(path.join(dir, `certs/fuzz-${id}.pem`), certificate, { mode: 0o600 });
    writeFileSync(path.join(dir, `certs/fuzz-${id}.key`), key, { mode: 0o600 });
    try {
      return await checkText(config);
    } finally {
      rmSync(path.join(dir, `certs/fuzz-${id}.pem`), { force: true });
      rmSync(path.join(dir, `certs/fuzz-${id}.key`), { force: true });
    }
  }

  function statusOf(report: Report, id: string): string {
    return report.runs[0]!.checks.find((check) => check.id === id)!.status;
  }

  const PEM_EDIT = fc.record({
    kind: fc.constantFrom('delete', 'duplicate', 'insert'),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 80 }),
    text: fc.oneof(
      fc.constantFrom('\r\n', '\n', ' ', '=', '==', '-----', '-----END PRIVATE KEY-----\n', '-----BEGIN CERTIFICATE-----\n', 'Proc-Type: 4,ENCRYPTED\n', 'A', '/', '+', '\u0000', '\t', '\\n'),
      fc.base64String({ maxLength: 16 }),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
  }) as fc.Arbitrary<Edit>;

  it('a certificate whose public key algorithm is unknown fails signing.certificate, not with an internal error', async () => {
    const der = Buffer.from(signingCertPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    const rsaEncryption = Buffer.from('2a864886f70d010101', 'hex');
    const at = der.indexOf(rsaEncryption);
    expect(at).toBeGreaterThan(0);
    der[at + rsaEncryption.length - 1] = 0x00;
    const report = await checkCredentials(signingKeyPem, der);
    const certificate = report.runs[0]!.checks.find((check) => check.id === 'signing.certificate')!;
    expect(certificate).toMatchObject({ status: 'fail', message: expect.stringMatching(/has a public key golive cannot decode/) });
    expect(certificate.internalError).toBeUndefined();
  });

  it('the real key and certificate pass (the properties below start from working files)', async () => {
    const report = await checkCredentials(signingKeyPem, signingCertPem);
    expect(statusOf(report, 'signing.keypair')).toBe('pass');
  });

  it('random bytes as the key and the certificate', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.uint8Array({ maxLength: 2000 }), async (key, certificate) => {
        const report = await checkCredentials(Buffer.from(key), Buffer.from(certificate));
        // Random bytes are never a usable key, and never a match.
        expect(statusOf(report, 'signing.key')).toBe('fail');
        expect(statusOf(report, 'signing.keypair')).toBe('skip');
      }),
      { numRuns: 100 },
    );
  });

  it('mangled PEM key and certificate', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(PEM_EDIT, { maxLength: 5 }),
        fc.array(PEM_EDIT, { maxLength: 5 }),
        async (keyEdits, certificateEdits) => {
          await checkCredentials(mutate(signingKeyPem, keyEdits), mutate(signingCertPem, certificateEdits));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('mangled DER (the PEM bodies decoded, then bytes flipped, cut or spliced)', async () => {
    const keyDer = Buffer.from(pemBody(signingKeyPem), 'base64');
    const certificateDer = Buffer.from(pemBody(signingCertPem), 'base64');
    const derEdit = fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), cut: fc.option(fc.nat(), { nil: undefined }) });
    const apply = (der: Buffer, edits: Array<{ at: number; value: number; cut: number | undefined }>): Buffer => {
      let out = Buffer.from(der);
      for (const { at, value, cut } of edits) {
        out[at % out.length] = value;
        if (cut !== undefined) out = out.subarray(0, Math.max(1, cut % out.length));
      }
      return out;
    };
    await fc.assert(
      fc.asyncProperty(fc.array(derEdit, { maxLength: 4 }), fc.array(derEdit, { maxLength: 4 }), fc.boolean(), async (keyEdits, certificateEdits, asPem) => {
        const key = apply(keyDer, keyEdits);
        const certificate = apply(certificateDer, certificateEdits);
        const wrap = (der: Buffer, label: string): string => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
        await checkCredentials(asPem ? wrap(key, 'PRIVATE KEY') : key, asPem ? wrap(certificate, 'CERTIFICATE') : certificate);
      }),
      { numRuns: 150 },
    );
  });

  it('CRLF and CR line breaks load (repaired at most)', async () => {
    const report = await checkCredentials(signingKeyPem.replace(/\n/g, '\r\n'), signingCertPem.replace(/\n/g, '\r'));
    expect(statusOf(report, 'signing.key')).toMatch(/^(pass|warn)$/);
  });

  it('the key and certificate swapped, duplicated, concatenated or empty', async () => {
    for (const [key, certificate] of [
      [signingCertPem, signingKeyPem],
      [signingKeyPem + signingKeyPem, signingCertPem + signingCertPem],
      ['', ''],
      ['\n', '\n'],
      [signingKeyPem.replace('PRIVATE KEY', 'RSA PRIVATE KEY'), signingCertPem.replace('CERTIFICATE', 'X509 CRL')],
      [signingKeyPem.replace('PRIVATE KEY-----\n', 'ENCRYPTED PRIVATE KEY-----\n'), signingCertPem.slice(0, 200)],
      [Buffer.alloc(5000, 0x30), Buffer.alloc(5000, 0xff)],
      [Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), Buffer.from([0x30, 0x80, 0x00, 0x00])],
    ] as const) {
      const report = await checkCredentials(key, certificate);
      expect(statusOf(report, 'signing.keypair')).not.toBe('pass');
    }
  });
});
