import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { interpolate, parseEnvFile } from '../src/config/interpolate.js';
import { jwkThumbprintIfComplete } from '../src/credentials/jwk.js';
import type { KeyPair } from '../src/credentials/types.js';
import { importPostman, parsePostmanJson } from '../src/init/postman.js';
import { localKeyMaterial, matchKeyToJwks } from '../src/jwks/match.js';
import { parseJwks } from '../src/jwks/parse.js';
import { CLI, golive } from './support/cli.js';
import { runConfigChecks, tempDir, VALID_ENV, VALID_JWT_CONFIG, writeConfig } from './support/config-files.js';

// Every user string used as a key (a variable, a command, a schema or check
// name, a JWK kty or member, a Postman variable, a config key) is looked up
// as the user's own, never found on Object.prototype: `${constructor}` is
// not set, `golive constructor` is an unknown command, `{"kty":"valueOf"}`
// is a key golive cannot match.

const NAMES = Object.getOwnPropertyNames(Object.prototype);

it('covers every name Object.prototype has (constructor, __proto__, valueOf, ...)', () => {
  expect(NAMES).toEqual(expect.arrayContaining(['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__']));
});

describe('${VAR} interpolation', () => {
  const dir = tempDir('golive-proto-vars-');

  it.each(NAMES)('${%s} is not set, from a plain object or from process.env', (name) => {
    for (const env of [{}, { ...VALID_ENV }, process.env]) {
      const result = interpolate({ client: { id: `\${${name}}` } }, env);
      expect(result.missing).toEqual([{ name, path: ['client', 'id'] }]);
      expect(result.data).toEqual({ client: { id: '' } });
    }
  });

  it.each(NAMES)('${%s} takes its default when not set', (name) => {
    expect(interpolate(`\${${name}:-fallback}`, {}).data).toBe('fallback');
  });

  it.each(NAMES)('%s=value in an env file is a variable like any other', (name) => {
    const variables = parseEnvFile(`${name}=from-file\nOTHER=1\n`);
    expect(Object.keys(variables)).toEqual([name, 'OTHER']);
    expect(interpolate(`\${${name}}`, variables)).toMatchObject({ data: 'from-file', missing: [] });
  });

  it('config.references names every such variable as not set', async () => {
    const file = writeConfig(dir, VALID_JWT_CONFIG.replace('"${THREDD_CLIENT_ID}"', `"${NAMES.map((name) => `\${${name}}`).join('')}"`), {
      files: { 'certs/signing.pem': 'cert', 'certs/signing.key': 'key' },
    });
    const results = await runConfigChecks(file, VALID_ENV);
    const references = results['config.references']!;
    expect(references.status).toBe('fail');
    if (references.status !== 'fail') return;
    for (const name of NAMES) expect(references.message).toContain(name);
    expect(references.message).not.toMatch(/native code|function/);
  });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        into.push(chunk.toString());
        done();
      },
    });
  const io: Io = { stdout: Object.assign(sink(out), { isTTY: false }), stderr: sink(err), env: {}, cwd: process.cwd() };
  const code = await main(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('command, schema and check names', () => {
  it.each(NAMES)('golive %s is an unknown command (usage error)', async (name) => {
    const run = await cli([name]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(new RegExp(`^golive: unknown command ${name.replace(/\$/g, '\\$')}`));
  });

  it.each(NAMES)('golive help %s prints the main help', async (name) => {
    const run = await cli(['help', name]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^golive — /);
  });

  it.each(NAMES)('golive schema %s is a usage error', async (name) => {
    const run = await cli(['schema', name]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`golive schema takes config or report; got ${name}`);
  });

  it.each(NAMES)('golive explain %s is a usage error', async (name) => {
    const run = await cli(['explain', name]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no check is called ${name}`);
  });

  describe('the built CLI', () => {
    beforeAll(async () => {
      const { existsSync } = await import('node:fs');
      if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build, or npx tsup --out-dir DIR with GOLIVE_DIST=DIR)`);
    });
    const dir = tempDir('golive-proto-cli-');
    it.each([
      [['constructor'], /^golive: unknown command constructor\n/],
      [['__proto__'], /^golive: unknown command __proto__\n/],
      [['schema', '__proto__'], /^golive: golive schema takes config or report; got __proto__\n/],
      [['explain', 'valueOf'], /^golive: no check is called valueOf/],
    ])('golive %j exits 2 with a usage error', async (args, stderr) => {
      const run = await golive(args, dir);
      expect(run.stderr).toMatch(stderr);
      expect(run.stderr).not.toMatch(/internal error/);
      expect(run.code).toBe(2);
    });
  });
});

describe('JWK kty and members', () => {
  it.each(NAMES)('a JWKS key of kty %s is a key golive cannot match, not a crash', (name) => {
    const parsed = parseJwks(JSON.stringify({ keys: [{ kty: name, kid: 'a', n: 'AQAB', e: 'AQAB' }] }));
    expect(parsed).toMatchObject({ ok: true, kids: ['a'], issues: [] });
    expect(jwkThumbprintIfComplete({ kty: name, n: 'AQAB', e: 'AQAB', crv: 'P-256', x: 'AA', y: 'AA' })).toBeUndefined();
  });

  it.each(NAMES)('a JWKS key with a member called %s is read as the member it is', (name) => {
    const body = `{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB",${JSON.stringify(name)}:{"kty":"EC"}}]}`;
    const parsed = parseJwks(body);
    expect(parsed).toMatchObject({ ok: true, kids: ['a'], issues: [] });
    if (!parsed.ok) return;
    expect(Object.hasOwn(parsed.keys[0]!, name)).toBe(true);
    expect(jwkThumbprintIfComplete(parsed.keys[0]!)).toMatch(/^[\w-]{43}$/);
  });

  it.each(NAMES)('a local key of kty %s matches nothing', (name) => {
    const keyPair = {
      key: { publicJwk: { kty: name }, facts: { thumbprint: 't' } },
      certificate: { facts: { x5tS256: 'x', fingerprintSha256: 'X' } },
    } as unknown as KeyPair;
    expect(localKeyMaterial(keyPair).members).toEqual([]);
    expect(matchKeyToJwks(keyPair, [{ kty: name, kid: 'a' }, { kty: 'RSA', n: 'AQAB', e: 'AQAB' }])).toEqual([]);
  });
});

describe('Postman variables', () => {
  it('variables named like Object.prototype members are unknown variables, and {{references}} to them stay unresolved', () => {
    const text = JSON.stringify({
      name: 'env',
      values: [
        ...NAMES.map((key) => ({ key, value: `{{${key}}}`, enabled: true })),
        { key: 'client_id', value: '{{constructor}}', enabled: true },
      ],
    });
    const result = importPostman(parsePostmanJson(text));
    expect(result.unknown).toEqual(NAMES);
    expect(result.ignored).toContainEqual({ variable: 'client_id', reason: 'refers to a Postman variable that is not in this export' });
    expect(result.config).not.toMatch(/native code|function/);
  });

  it('an export whose own members are named __proto__ or constructor is still an export', () => {
    const text = '{"__proto__":{"values":[]},"constructor":"x","values":[{"key":"__proto__","value":"1"},{"key":"client_id","value":"abc"}]}';
    const result = importPostman(parsePostmanJson(text));
    expect(result.variableCount).toBe(2);
    expect(result.unknown).toEqual(['__proto__']);
    expect(result.mapped).toContainEqual({ variable: 'client_id', field: 'client.id' });
  });
});

describe('config keys and values', () => {
  const dir = tempDir('golive-proto-config-');

  it.each(['yaml', 'json'] as const)('each name as a top-level and a section key is an unknown key (%s)', async (format) => {
    const json = `{"profile":"thredd",${NAMES.map((name) => `${JSON.stringify(name)}:1`).join(',')},"client":{${NAMES.map((name) => `${JSON.stringify(name)}:1`).join(',')}}}`;
    // YAML is a superset of JSON: the same text, read by the YAML parser.
    const file = writeConfig(dir, json, { name: `golive.${format}` });
    const results = await runConfigChecks(file);
    const schema = results['config.schema']!;
    expect(schema.status).toBe('fail');
    if (schema.status !== 'fail') return;
    for (const name of NAMES) {
      expect(schema.message).toContain(`unknown key "${name}" at the top level`);
      expect(schema.message).toContain(`unknown key "${name}" in client`);
    }
  });

  it.each(NAMES)('%s as the value of an enumerated key is a schema error', async (name) => {
    const file = writeConfig(dir, VALID_JWT_CONFIG.replace('environment: uat', `environment: ${JSON.stringify(name)}`).replace('algorithm: PS256', `algorithm: ${JSON.stringify(name)}`));
    const schema = (await runConfigChecks(file, VALID_ENV))['config.schema']!;
    expect(schema.status).toBe('fail');
    if (schema.status !== 'fail') return;
    expect(schema.message).toContain(`environment must be one of uat, production; got ${JSON.stringify(name)}`);
    expect(schema.message).toContain(`signing.algorithm must be one of`);
  });
});
