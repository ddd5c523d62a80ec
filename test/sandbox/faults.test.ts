import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOCK_OFFSET_SECONDS,
  DOCUMENTED_AUDIENCE,
  HUGE_JWKS_BYTES,
  PUBLIC_ROOT_SUBJECT,
  REQUIRED_REGION,
} from '../../src/sandbox/faults.js';
import { ConflictingFaultsError, FAULTS, startSandbox, type FaultName, type Sandbox } from '../../src/sandbox/index.js';
import { importX509 } from '../../src/sandbox/stack.js';
import { golive } from '../support/cli.js';
import { call, expectThreddError, probe, requestToken, tokenFor, transportCredentials } from './client.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
});
afterAll(() => sandbox?.close());
afterEach(() => sandbox.setFaults([]));

const x5tS256 = (pem: string) => Buffer.from(new X509Certificate(pem).raw).toString('base64');

async function jwksKeys(): Promise<Array<Record<string, any>>> {
  const answer = await call(sandbox, sandbox.endpoints.jwks);
  expect(answer.status).toBe(200);
  return answer.json.keys;
}

async function signingPublished(): Promise<boolean> {
  const signing = x5tS256(await readFile(sandbox.files.signingCert, 'utf8'));
  return (await jwksKeys()).some((key) => key.x5c?.[0] === signing);
}

const tested = new Set<FaultName>();
function faultTest(fault: FaultName, run: () => Promise<void>, timeout?: number) {
  tested.add(fault);
  it(`${fault}: ${FAULTS[fault]}`, async () => {
    sandbox.setFaults([fault]);
    await run();
  }, timeout);
}

describe('fault switches', () => {
  faultTest('expired-signing-certificate', async () => {
    // The swap renames a whole new file into place (a watching golive never reads it half written) and leaves nothing behind.
    expect((await readdir(path.dirname(sandbox.files.signingCert))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const onDisk = new X509Certificate(await readFile(sandbox.files.signingCert, 'utf8'));
    expect(Date.parse(onDisk.validTo)).toBeLessThan(Date.now());
    expect(await signingPublished()).toBe(true);
    const answer = await requestToken(sandbox, { method: 'private_key_jwt', mtls: false });
    expect(answer.json.error).toBe('invalid_client');
    sandbox.setFaults([]);
    const restored = new X509Certificate(await readFile(sandbox.files.signingCert, 'utf8'));
    expect(Date.parse(restored.validTo)).toBeGreaterThan(Date.now());
    expect((await requestToken(sandbox, { method: 'private_key_jwt', mtls: false })).status).toBe(200);
  });

  faultTest('key-not-in-jwks', async () => {
    const keys = await jwksKeys();
    expect(await signingPublished()).toBe(false);
    expect(keys.some((key) => key.use === 'sig')).toBe(true);
    expect((await requestToken(sandbox, { method: 'private_key_jwt', mtls: false })).json.error).toBe('invalid_client');
    expect((await requestToken(sandbox, { method: 'client_secret_post', mtls: false })).status).toBe(200);
    sandbox.setFaults([]);
    expect((await requestToken(sandbox, { method: 'private_key_jwt', mtls: false })).status).toBe(200);
  });

  faultTest('kid-mismatch', async () => {
    const keys = await jwksKeys();
    expect(await signingPublished()).toBe(true);
    expect(keys.map((key) => key.kid)).not.toContain(sandbox.kids.signing);
    expect((await requestToken(sandbox, { method: 'private_key_jwt', mtls: false })).json.error).toBe('invalid_client');
    const registered = keys.find((key) => key.kty === 'RSA' && key.use === 'sig')!.kid as string;
    expect((await requestToken(sandbox, { method: 'private_key_jwt', mtls: false, kid: registered })).status).toBe(200);
  });

  faultTest('audience-mismatch', async () => {
    const tokenUrl = await requestToken(sandbox, { method: 'private_key_jwt', mtls: false });
    expect(tokenUrl.status).toBe(401);
    expect(tokenUrl.json.error).toBe('invalid_client');
    expect((await requestToken(sandbox, { method: 'private_key_jwt', mtls: false, aud: DOCUMENTED_AUDIENCE })).status).toBe(200);
  });

  faultTest('jwks-500', async () => {
    const answer = await call(sandbox, sandbox.endpoints.jwks);
    expect(answer.status).toBe(500);
    expect((await requestToken(sandbox, { method: 'private_key_jwt', mtls: false })).json.error).toBe('invalid_client');
  });

  faultTest('jwks-html', async () => {
    const answer = await call(sandbox, sandbox.endpoints.jwks);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.json).toBeUndefined();
  });

  faultTest('jwks-hang', async () => {
    await expect(call(sandbox, sandbox.endpoints.jwks, { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
  });

  faultTest('jwks-huge', async () => {
    const answer = await call(sandbox, sandbox.endpoints.jwks);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/application\/json/);
    expect(answer.text.length).toBeGreaterThanOrEqual(HUGE_JWKS_BYTES);
    expect(Array.isArray(answer.json.keys)).toBe(true);
  });

  faultTest('clock-offset', async () => {
    const transport = await transportCredentials(sandbox);
    for (const answer of [
      await call(sandbox, sandbox.endpoints.jwks),
      await requestToken(sandbox, { method: 'client_secret_post', mtls: false }),
      await probe(sandbox, { mtls: true, region: '0', clientCert: transport }),
    ]) {
      const skew = (Date.parse(answer.headers.date as string) - Date.now()) / 1000;
      expect(Math.abs(skew - CLOCK_OFFSET_SECONDS)).toBeLessThan(5);
    }
    const now = Math.floor(Date.now() / 1000);
    const assertion = await requestToken(sandbox, { method: 'private_key_jwt', mtls: false, exp: now + 240 });
    expect(assertion.json.error).toBe('invalid_client');
  });

  faultTest('required-region', async () => {
    const token = await tokenFor(sandbox, { method: 'client_secret_basic', mtls: false });
    const refused = await probe(sandbox, { mtls: false, region: '0', token });
    expectThreddError(refused, 403);
    expect(refused.json.errors['X-Region'][0]).toContain(String(REQUIRED_REGION));
    expect((await probe(sandbox, { mtls: false, region: String(REQUIRED_REGION), token })).status).toBe(200);
  });

  faultTest('token-garbage', async () => {
    for (const mtls of [false, true]) {
      const answer = await requestToken(sandbox, { method: 'client_secret_post', mtls });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/application\/json/);
      expect(answer.json).toBeUndefined();
    }
  });

  faultTest('token-401-challenge', async () => {
    for (const [method, mtls] of [['client_secret_basic', false], ['client_secret_post', true], ['private_key_jwt', false]] as const) {
      const answer = await requestToken(sandbox, { method, mtls });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Basic realm="golive-sandbox"');
      expect(answer.headers['content-type']).toBeUndefined();
      expect(answer.text).toBe('');
    }
    expect((await call(sandbox, sandbox.endpoints.jwks)).status).toBe(200);
    sandbox.setFaults([]);
    expect((await requestToken(sandbox, { method: 'client_secret_basic', mtls: false })).status).toBe(200);
  });

  faultTest('untrusted-server-certificate', async () => {
    for (const url of [sandbox.endpoints.token, sandbox.endpoints.api]) {
      await expect(call(sandbox, url)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    }
    await expect(call(sandbox, sandbox.endpoints.apiMtls, { clientCert: await transportCredentials(sandbox) })).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });

  faultTest('hostname-mismatch', async () => {
    for (const url of [sandbox.endpoints.token, sandbox.endpoints.api]) {
      await expect(call(sandbox, url)).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    }
  });

  faultTest('mtls-cert-not-requested', async () => {
    sandbox.setFaults([]);
    const bound = await tokenFor(sandbox, { method: 'client_secret_post', mtls: true });
    sandbox.setFaults(['mtls-cert-not-requested']);
    const token = await requestToken(sandbox, { method: 'client_secret_post', mtls: true });
    expect(token.status).toBe(400);
    expect(token.json.error).toBe('invalid_grant');
    const api = await probe(sandbox, { mtls: true, region: '0', token: bound, clientCert: await transportCredentials(sandbox) });
    expectThreddError(api, 401);
  });

  faultTest('mtls-cert-required', async () => {
    // TLS 1.3: the server rejects the missing certificate after the handshake and closes the socket.
    await expect(requestToken(sandbox, { method: 'client_secret_post', mtls: false })).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    await expect(probe(sandbox, { mtls: false, region: '0' })).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    const withCert = await requestToken(sandbox, {
      method: 'client_secret_post',
      mtls: false,
      clientCert: await transportCredentials(sandbox),
    });
    expect(withCert.status).toBe(200);
  });

  faultTest('reversed-chain', async () => {
    const pemBlocks = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
    const root = new X509Certificate(await readFile(sandbox.caFile, 'utf8'));
    const onDisk = await transportCredentials(sandbox);
    for (const file of [sandbox.files.transportCert, sandbox.files.signingCert]) {
      const [intermediate, leaf, ...more] = pemBlocks(await readFile(file, 'utf8')).map((pem) => new X509Certificate(pem));
      expect(more).toEqual([]);
      expect(intermediate!.ca).toBe(true);
      expect(intermediate!.verify(root.publicKey)).toBe(true);
      expect(leaf!.ca).toBe(false);
      expect(leaf!.verify(intermediate!.publicKey)).toBe(true);
    }
    const [intermediatePem, leafPem] = pemBlocks(onDisk.cert) as [string, string];
    const signingLeaf = pemBlocks(await readFile(sandbox.files.signingCert, 'utf8'))[1]!;
    const published = await jwksKeys();
    expect(published.find((key) => key.kid === sandbox.kids.signing)?.x5c).toEqual([x5tS256(signingLeaf)]);
    expect(published.find((key) => key.kid === sandbox.kids.transport)?.x5c).toEqual([x5tS256(leafPem)]);

    // TLS 1.3: the listener refuses the certificate after the handshake and closes the socket. Sent as listed, the
    // file's first certificate (the intermediate) goes as the client certificate; the leaf alone does not chain to the root.
    for (const cert of [onDisk.cert, leafPem]) {
      await expect(requestToken(sandbox, { method: 'client_secret_post', mtls: true, clientCert: { ...onDisk, cert } })).rejects.toMatchObject({
        code: 'UND_ERR_SOCKET',
      });
    }
    const chain = { ...onDisk, cert: leafPem + intermediatePem };
    const bound = await tokenFor(sandbox, { method: 'private_key_jwt', mtls: true, clientCert: chain });
    expect((await probe(sandbox, { mtls: true, region: '0', token: bound, clientCert: chain })).status).toBe(200);

    sandbox.setFaults([]);
    expect(pemBlocks(await readFile(sandbox.files.transportCert, 'utf8'))).toHaveLength(1);
    expect(pemBlocks(await readFile(sandbox.files.signingCert, 'utf8'))).toHaveLength(1);
    expect((await requestToken(sandbox, { method: 'client_secret_post', mtls: true })).status).toBe(200);
  });

  /**
   * What both client-certificate issuer faults share: certs/signing.pem and
   * certs/transport.pem hold one certificate each, for the same keys and
   * subjects, not issued by the sandbox CA, published in the JWKS; the mTLS
   * listeners refuse the transport one, golive's network.token-endpoint says
   * so, and private_key_jwt over TLS still gets a token.
   */
  /** The certificates the fault put in place, checked; `whileOn` runs before the fault is switched off. */
  async function replacedClientCertificates(whileOn?: () => Promise<void>): Promise<Record<'signing' | 'transport', X509Certificate>> {
    const x509 = await importX509();
    const sandboxCa = new X509Certificate(await readFile(sandbox.caFile, 'utf8'));
    const published = await jwksKeys();
    const roles = {
      signing: { cert: sandbox.files.signingCert, key: sandbox.files.signingKey, kid: sandbox.kids.signing, usages: x509.KeyUsageFlags.digitalSignature },
      transport: {
        cert: sandbox.files.transportCert,
        key: sandbox.files.transportKey,
        kid: sandbox.kids.transport,
        usages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      },
    };
    const leaves = {} as Record<'signing' | 'transport', X509Certificate>;
    for (const [role, files] of Object.entries(roles) as [keyof typeof roles, (typeof roles)['signing']][]) {
      const pem = await readFile(files.cert, 'utf8');
      expect(pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
      const leaf = new X509Certificate(pem);
      expect(leaf.ca).toBe(false);
      expect(leaf.checkIssued(sandboxCa) || leaf.verify(sandboxCa.publicKey)).toBe(false);
      expect(leaf.checkPrivateKey(createPrivateKey(await readFile(files.key, 'utf8')))).toBe(true);
      expect(new x509.X509Certificate(pem).getExtension(x509.KeyUsagesExtension)?.usages).toBe(files.usages);
      expect(published.find((key) => key.kid === files.kid)?.x5c).toEqual([x5tS256(pem)]);
      leaves[role] = leaf;
    }
    expect(leaves.transport.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);

    // TLS 1.3: the listener refuses the certificate after the handshake and closes the socket.
    await expect(requestToken(sandbox, { method: 'client_secret_post', mtls: true })).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    await expect(probe(sandbox, { mtls: true, region: '0', clientCert: await transportCredentials(sandbox) })).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect((await requestToken(sandbox, { method: 'private_key_jwt', mtls: false })).status).toBe(200);

    const run = await golive(['check', '--format', 'json', '--only', 'network.token-endpoint', '--env-file', 'sandbox.env', 'private_key_jwt-mtls.yaml'], sandbox.dir);
    const checks = JSON.parse(run.stdout).runs[0].checks as Array<{ id: string; status: string; code?: string; message: string }>;
    expect(checks.find((check) => check.id === 'network.token-endpoint')).toMatchObject({
      status: 'fail',
      code: 'client-certificate-refused',
      message: expect.stringMatching(/^mTLS: token host 127\.0\.0\.1:\d+ refused the client certificate/),
    });
    await whileOn?.();

    sandbox.setFaults([]);
    for (const [role, files] of Object.entries(roles) as [keyof typeof roles, (typeof roles)['signing']][]) {
      const restored = new X509Certificate(await readFile(files.cert, 'utf8'));
      expect(restored.checkIssued(sandboxCa)).toBe(true);
      expect(leaves[role].subject).toBe(restored.subject);
    }
    expect((await requestToken(sandbox, { method: 'client_secret_post', mtls: true })).status).toBe(200);
    return leaves;
  }

  /** signing.certificate and transport.certificate on the sandbox's private_key_jwt + mTLS config, as `profile` and `environment`. */
  async function certificateChecks(profile: 'custom' | 'thredd', environment: 'uat' | 'production') {
    const text = await readFile(sandbox.configs['private_key_jwt-mtls']!, 'utf8');
    const name = `issuer-${profile}-${environment}.yaml`;
    await writeFile(path.join(sandbox.dir, name), text.replace('profile: custom', `profile: ${profile}`).replace('environment: uat', `environment: ${environment}`));
    const run = await golive(['check', '--offline', '--format', 'json', '--only', 'signing.certificate,transport.certificate', '--env-file', 'sandbox.env', name], sandbox.dir);
    const checks = JSON.parse(run.stdout).runs[0].checks as Array<{ id: string; status: string; code?: string; message: string; hint: string }>;
    return ['signing.certificate', 'transport.certificate'].map((id) => checks.find((check) => check.id === id)!);
  }

  faultTest('self-signed-client-certificate', async () => {
    const leaves = await replacedClientCertificates(async () => {
      // Thredd's issuer rule, seen on the sandbox: a warning in UAT, a failure in Production, on either profile.
      for (const check of await certificateChecks('custom', 'uat')) {
        expect(check).toMatchObject({ status: 'warn', code: 'self-signed', message: expect.stringMatching(/is self-signed: it is its own issuer\. Thredd's rule/) });
      }
      for (const check of await certificateChecks('thredd', 'production')) expect(check).toMatchObject({ status: 'fail', code: 'self-signed' });
    });
    for (const leaf of Object.values(leaves)) {
      expect(leaf.issuer).toBe(leaf.subject);
      expect(leaf.verify(leaf.publicKey)).toBe(true);
    }
  }, 30_000);

  faultTest('public-ca-client-certificate', async () => {
    const leaves = await replacedClientCertificates(async () => {
      // A third-party CA is the thredd profile's rule: warned in UAT, failed in Production; the custom profile does not judge it.
      for (const check of await certificateChecks('thredd', 'uat')) {
        expect(check).toMatchObject({
          status: 'warn',
          code: 'third-party-issuer',
          message: expect.stringMatching(/was issued by C=US, O=DigiCert Inc, OU=www\.digicert\.com, CN=DigiCert Global Root G2, a third-party CA \(DigiCert Global Root G2 is a root of Node's public root store\)/),
          hint: expect.stringMatching(/Thredd Portal.*thredd\.issuers/),
        });
      }
      for (const check of await certificateChecks('thredd', 'production')) expect(check).toMatchObject({ status: 'fail', code: 'third-party-issuer' });
      for (const check of await certificateChecks('custom', 'production')) expect(check.status).toBe('pass');
    });
    const x509 = await importX509();
    const nameDer = (name: { toArrayBuffer(): ArrayBuffer }) => Buffer.from(name.toArrayBuffer()).toString('hex');
    const rootPem = rootCertificates.find((pem) => new X509Certificate(pem).subject === PUBLIC_ROOT_SUBJECT.split(', ').join('\n'));
    const root = new X509Certificate(rootPem!);
    expect(root.subject).toMatch(/^O=DigiCert Inc$/m);
    for (const leaf of Object.values(leaves)) {
      // Issued in the name of a root in Node's store, to the byte, by a key that root does not hold.
      expect(nameDer(new x509.X509Certificate(leaf.raw).issuerName)).toBe(nameDer(new x509.X509Certificate(root.raw).subjectName));
      expect(leaf.verify(root.publicKey)).toBe(false);
    }
  }, 30_000);

  it('refuses two faults that each decide who issued the client certificates, from the API and the command line', async () => {
    const conflicting: FaultName[] = ['self-signed-client-certificate', 'public-ca-client-certificate'];
    expect(() => sandbox.setFaults(conflicting)).toThrow(ConflictingFaultsError);
    expect(() => sandbox.setFaults(['reversed-chain', 'self-signed-client-certificate'])).toThrow(
      /^sandbox faults "reversed-chain", "self-signed-client-certificate" cannot be on together: each decides who issued the client certificates; choose one of /,
    );
    expect(sandbox.faults()).toEqual([]);
    const run = await golive(['sandbox', '--fault', conflicting.join(',')], sandbox.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('sandbox faults "self-signed-client-certificate", "public-ca-client-certificate" cannot be on together');
  });

  it('every fault in FAULTS has a test above', () => {
    expect([...tested].sort()).toEqual(Object.keys(FAULTS).sort());
  });

  it('faults given at start-up are active, and setFaults rejects unknown names', async () => {
    const other = await startSandbox({ faults: ['jwks-500', 'required-region'], quiet: true });
    try {
      expect(other.faults().sort()).toEqual(['jwks-500', 'required-region']);
      expect((await call(other, other.endpoints.jwks)).status).toBe(500);
      expect(() => other.setFaults(['bogus' as FaultName])).toThrow(/unknown sandbox fault "bogus"/);
    } finally {
      await other.close();
    }
  });
});
