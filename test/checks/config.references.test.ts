import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../src/config/types.js';
import {
  runConfigChecks,
  SIGNING_FILES,
  tempDir,
  VALID_ENV,
  VALID_JWT_CONFIG,
  writeConfig,
} from '../support/config-files.js';

const dir = tempDir();

describe('config.references', () => {
  it('passes, interpolates variables and resolves paths against the config folder', async () => {
    const file = writeConfig(dir, VALID_JWT_CONFIG, { files: SIGNING_FILES });
    const result = (await runConfigChecks(file, VALID_ENV))['config.references']!;
    expect(result.status).toBe('pass');
    const resolved = result.output as ResolvedConfig;
    expect(resolved.client.id).toBe(VALID_ENV.THREDD_CLIENT_ID);
    expect(resolved.signing?.privateKey).toBe(file.replace('golive.yaml', 'certs/signing.key'));
    expect(resolved.endpoints).toEqual({
      token: 'https://threddid.com/oauth2/token',
      jwks: 'http://jwks.threddid.com/org-123/jwks.json',
      api: 'https://uat-api.thredd.com',
    });
    expect(result.evidence).toMatchObject({ variables: ['THREDD_ORG_ID', 'THREDD_CLIENT_ID'] });
  });

  it("defaults expiryWarningDays to 60, Thredd's renewal notice period, and keeps a value the config sets", async () => {
    const defaulted = writeConfig(dir, VALID_JWT_CONFIG, { files: SIGNING_FILES });
    const set = writeConfig(dir, `${VALID_JWT_CONFIG}expiryWarningDays: 14\n`, { files: SIGNING_FILES });
    const outputOf = async (file: string) => (await runConfigChecks(file, VALID_ENV))['config.references']!.output as ResolvedConfig;
    expect((await outputOf(defaulted)).expiryWarningDays).toBe(60);
    expect((await outputOf(set)).expiryWarningDays).toBe(14);
  });

  it('supports ${VAR:-default}', async () => {
    const text = VALID_JWT_CONFIG.replace('"${THREDD_ORG_ID}"', '"${ORG:-fallback-org}"');
    const file = writeConfig(dir, text, { files: SIGNING_FILES });
    const result = (await runConfigChecks(file, VALID_ENV))['config.references']!;
    expect((result.output as ResolvedConfig).organisationId).toBe('fallback-org');
  });

  it('fails naming every missing variable and where it is used, never a value', async () => {
    const file = writeConfig(dir, VALID_JWT_CONFIG, { files: SIGNING_FILES });
    const result = (await runConfigChecks(file, {}))['config.references']!;
    expect(result).toMatchObject({ status: 'fail', code: 'variable-not-set' });
    expect(result.message).toBe(
      'Variables THREDD_ORG_ID, THREDD_CLIENT_ID are not set (${THREDD_ORG_ID} in organisationId; ${THREDD_CLIENT_ID} in client.id).',
    );
    expect(result.hint).toMatch(/Export THREDD_ORG_ID, THREDD_CLIENT_ID .* --env-file/);
    expect(result.evidence).toMatchObject({ missingVariables: ['THREDD_ORG_ID', 'THREDD_CLIENT_ID'], location: { line: 5 } });
  });

  it('fails when a referenced file does not exist, naming the field and the path', async () => {
    const file = writeConfig(dir, VALID_JWT_CONFIG, { files: { 'certs/signing.pem': 'x' } });
    const result = (await runConfigChecks(file, VALID_ENV))['config.references']!;
    expect(result).toMatchObject({ status: 'fail', code: 'file-not-found' });
    expect(result.message).toBe('signing.privateKey (certs/signing.key) does not exist.');
    expect(result.hint).toMatch(/Relative paths resolve against the config's folder/);
    expect(result.evidence?.location).toMatchObject({ path: 'signing.privateKey', line: 11 });
  });

  it('fails when a referenced path is a folder', async () => {
    const file = writeConfig(dir, VALID_JWT_CONFIG.replace('certs/signing.pem', 'certs'), { files: SIGNING_FILES });
    const result = (await runConfigChecks(file, VALID_ENV))['config.references']!;
    expect(result).toMatchObject({ status: 'fail', code: 'not-a-file' });
    expect(result.message).toBe('signing.certificate (certs) is not a file.');
    expect(result.evidence).not.toHaveProperty('codes');
  });

  it('lists every file that cannot be used, led by the first one\'s code', async () => {
    const file = writeConfig(dir, VALID_JWT_CONFIG);
    const certs = path.join(path.dirname(file), 'certs');
    mkdirSync(certs);
    // A link to itself: stat fails with ELOOP, not ENOENT.
    symlinkSync('signing.key', path.join(certs, 'signing.key'));
    const result = (await runConfigChecks(file, VALID_ENV))['config.references']!;
    expect(result).toMatchObject({ status: 'fail', code: 'file-not-found' });
    expect(result.message).toBe('signing.certificate (certs/signing.pem) does not exist; signing.privateKey (certs/signing.key) cannot be read (ELOOP).');
    expect(result.hint).toMatch(/fix the paths or the file permissions\.$/);
    expect(result.evidence).toMatchObject({ codes: ['file-not-found', 'file-unreadable'], files: [{ code: 'ENOENT' }, { code: 'ELOOP' }] });
  });

  it('fails when region resolves to something other than 0, 1 or 2', async () => {
    const file = writeConfig(dir, VALID_JWT_CONFIG.replace('region: 0', 'region: "${REGION}"'), { files: SIGNING_FILES });
    const result = (await runConfigChecks(file, { ...VALID_ENV, REGION: '9' }))['config.references']!;
    expect(result).toMatchObject({ status: 'fail', code: 'region-out-of-range' });
    expect(result.message).toMatch(/region resolves to "9"/);
    expect(result.hint).toMatch(/0, 1 or 2/);
  });

  it('warns when a private key file is readable by group or others', async () => {
    const file = writeConfig(dir, VALID_JWT_CONFIG, {
      files: { 'certs/signing.pem': 'x', 'certs/signing.key': { content: 'k', mode: 0o644 } },
    });
    const result = (await runConfigChecks(file, VALID_ENV))['config.references']!;
    expect(result).toMatchObject({ status: 'warn', code: 'key-readable-by-others' });
    expect(result.message).toBe('Private key file is readable by group or others: signing.privateKey (certs/signing.key, mode 0644).');
    // The config's folder is not the current one: the command names the key by a path that works from here.
    expect(result.hint).toBe(`Restrict it to the owner: chmod 600 ${path.join(path.dirname(file), 'certs', 'signing.key')}`);
    // A warning still hands the resolved config on.
    expect(result.output).toMatchObject({ client: { id: VALID_ENV.THREDD_CLIENT_ID }, signing: { privateKey: file.replace('golive.yaml', 'certs/signing.key') } });
  });

  describe('the chmod hint names each key by a path usable from the current folder', () => {
    const exposedKey = { 'certs/signing.pem': 'x', 'certs/signing.key': { content: 'k', mode: 0o644 } };

    async function hintFrom(cwd: string, file: string): Promise<string | undefined> {
      const previous = process.cwd();
      process.chdir(cwd);
      try {
        return (await runConfigChecks(file, VALID_ENV))['config.references']!.hint;
      } finally {
        process.chdir(previous);
      }
    }

    it('relative to the current folder when the config sits below it', async () => {
      const file = writeConfig(dir, VALID_JWT_CONFIG, { files: exposedKey });
      const hint = await hintFrom(dir, file);
      expect(hint).toBe(`Restrict it to the owner: chmod 600 ${path.join(path.basename(path.dirname(file)), 'certs', 'signing.key')}`);
    });

    it('absolute when the key sits outside the current folder', async () => {
      const file = writeConfig(dir, VALID_JWT_CONFIG, { files: exposedKey });
      const elsewhere = path.join(dir, 'elsewhere');
      mkdirSync(elsewhere);
      expect(await hintFrom(elsewhere, file)).toBe(`Restrict it to the owner: chmod 600 ${path.join(path.dirname(file), 'certs', 'signing.key')}`);
    });

    it('quoted for the shell, with a key path outside the config folder resolved against it', async () => {
      const text = VALID_JWT_CONFIG.replace('privateKey: certs/signing.key', "privateKey: \"../my keys/signing.key\"");
      const file = writeConfig(dir, text, { files: { 'certs/signing.pem': 'x', '../my keys/signing.key': { content: 'k', mode: 0o640 } } });
      const result = (await runConfigChecks(file, VALID_ENV))['config.references']!;
      expect(result.message).toBe('Private key file is readable by group or others: signing.privateKey (../my keys/signing.key, mode 0640).');
      expect(await hintFrom(dir, file)).toBe("Restrict it to the owner: chmod 600 'my keys/signing.key'");
    });
  });

  it('declares interpolated secrets so every output can redact them', async () => {
    const text = `${VALID_JWT_CONFIG.split('signing:')[0]!.replace('private_key_jwt', 'client_secret_post')}  secret: "\${THREDD_CLIENT_SECRET}"\n`;
    const file = writeConfig(dir, text);
    const result = (await runConfigChecks(file, { ...VALID_ENV, THREDD_CLIENT_SECRET: 'canary-secret-value' }))['config.references']!;
    expect(result.status).toBe('pass');
    expect(result.secrets).toContain('canary-secret-value');
    expect(JSON.stringify(result.evidence)).not.toContain('canary-secret-value');
  });
});

describe('config.references with key material where a path belongs', () => {
  it.each([
    ['a base64 key body', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvuNMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ'],
    ['a PEM block', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----'],
    ['a JWK on one line', '{"kty":"EC","crv":"P-256","x":"MIIEvQx","d":"MIIEvQ-secret-d-member"}'],
  ])('fails without echoing %s', async (_name, material) => {
    const text = VALID_JWT_CONFIG.replace('privateKey: certs/signing.key', `privateKey: ${JSON.stringify(material)}`);
    const file = writeConfig(dir, text, { files: SIGNING_FILES });
    const result = (await runConfigChecks(file, VALID_ENV))['config.references']!;
    expect(result).toMatchObject({ status: 'fail', code: 'key-material-in-config' });
    expect(result.message).toBe('signing.privateKey holds what looks like private key or certificate content, not a file path (value not shown).');
    expect(result.hint).toMatch(/Save the key or certificate in a file/);
    expect(JSON.stringify({ message: result.message, hint: result.hint, evidence: result.evidence })).not.toContain('MIIEvQ');
    expect(result.secrets).toContain(material);
  });
});

describe('config.references with credentials in an endpoint URL', () => {
  it('declares the URL password as a secret, so no output shows it', async () => {
    const text = `${VALID_JWT_CONFIG}endpoints:\n  token: "https://svc:\${TOKEN_HOST_PW}@auth.example.com/token"\n`;
    const file = writeConfig(dir, text, { files: SIGNING_FILES });
    const result = (await runConfigChecks(file, { ...VALID_ENV, TOKEN_HOST_PW: 'pw%21canary' }))['config.references']!;
    expect(result.status).toBe('pass');
    expect(result.secrets).toEqual(expect.arrayContaining(['pw%21canary', 'pw!canary', 'svc']));
  });
});
