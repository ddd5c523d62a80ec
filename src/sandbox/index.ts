import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createApiHost } from './api-host.js';
import { createAuthServer, loadOidcProvider, TOKEN_PATH, type AuthServer } from './auth-server.js';
import { CONFIG_FILE_NAMES, ENV_FILE_NAME, writeConfigs, type MigrationConfigs, type SandboxEndpoints } from './configs.js';
import { FAULTS, parseFaults, type FaultName } from './faults.js';
import { applyTlsFaults, closeServer, HOST, httpsOptions, listen } from './http.js';
import { createJwksHost } from './jwks-host.js';
import { SandboxFolder } from './folder.js';
import { clientCertificates, loadOrCreateMaterial, MATERIAL_FILE_NAMES, writeMaterialFiles, type Material, type MaterialFiles } from './material.js';
import { assertSandboxStack } from './stack.js';

export { ConflictingFaultsError, FAULTS, UnknownFaultError, isFaultName, parseFaults, type FaultName } from './faults.js';
export { SandboxFilesExistError } from './folder.js';
export { SandboxStackMissing } from './stack.js';
export { WriteError } from '../files/output.js';
export { CA_SUBJECT, type ClientKey, type MaterialFiles } from './material.js';
export type { MigrationConfigs, SandboxEndpoints } from './configs.js';

export interface SandboxOptions {
  /**
   * Folder for generated material and configs, reused when it already holds material.
   * Default: a fresh temp dir, removed again by close(). Existing files there
   * that a sandbox did not write are never overwritten: start-up rejects
   * with SandboxFilesExistError, unless `force`.
   */
  dir?: string;
  /** Overwrite existing files in `dir` that a sandbox did not write. */
  force?: boolean;
  faults?: FaultName[];
  /**
   * A fresh folder copies the material (keys, ids, secret) cached per user in the temp dir,
   * so start-up skips RSA key generation; false generates new material. Default true.
   */
  reuseCachedMaterial?: boolean;
  /** No server-error lines on stderr. */
  quiet?: boolean;
}

export interface Sandbox {
  dir: string;
  organisationId: string;
  endpoints: SandboxEndpoints;
  /** Config name (e.g. `private_key_jwt-mtls`) to absolute config path. */
  configs: Record<string, string>;
  /** A UAT config and a Production-like one with its own client and credentials, for `golive diff`. */
  migration: MigrationConfigs;
  envFile: string;
  caFile: string;
  /** The sandbox CA, to issue extra certificates in tests (e.g. a client certificate the JWKS does not know). */
  ca: { cert: string; key: string };
  /** The client ids, by `<authMethod>-<connectivity>`. */
  clients: Material['clients'];
  /** The kids the organisation JWKS registers the signing keys under (without faults). */
  kids: { signing: string; signingEs256: string; transport: string };
  /** Paths of the demo organisation's credentials. */
  files: MaterialFiles;
  faults(): FaultName[];
  /** Replaces the active faults on the running sandbox. */
  setFaults(faults: FaultName[]): void;
  close(): Promise<void>;
}

/** Starts the local platform on 127.0.0.1: token, JWKS and API hosts, with configs written for them. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // Before anything is written: a plain `npm install golive` leaves the sandbox's packages out.
  assertSandboxStack();
  const active = new Set<FaultName>(parseFaults(options.faults ?? []));
  const faults = { has: (fault: FaultName) => active.has(fault) };
  const log = options.quiet ? () => undefined : (line: string) => void process.stderr.write(`${line}\n`);

  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'golive-sandbox-')));
  const folder = await SandboxFolder.open(dir, { force: options.force ?? false });
  // Before anything is written: a user's file in the way stops start-up with nothing changed.
  await folder.claim([...Object.values(MATERIAL_FILE_NAMES), ...CONFIG_FILE_NAMES]);
  const [material] = await Promise.all([loadOrCreateMaterial(dir, { useCache: options.reuseCachedMaterial ?? true }), loadOidcProvider()]);
  const files = await writeMaterialFiles(folder, material);
  await folder.save();

  let auth: AuthServer | undefined;
  const tokenHandler = (req: Parameters<AuthServer['handle']>[0], res: Parameters<AuthServer['handle']>[1]) => {
    if (auth) auth.handle(req, res);
    else res.writeHead(503).end();
  };
  const tokenTls = createHttpsServer(httpsOptions(material, false), tokenHandler);
  const tokenMtls = createHttpsServer(httpsOptions(material, true), tokenHandler);
  const jwksHost = createJwksHost(material, faults);
  const servers: Array<HttpServer | HttpsServer> = [tokenTls, tokenMtls, jwksHost];
  const close = async () => {
    await Promise.all(servers.map(closeServer));
    // A folder the sandbox made for itself only holds configs naming ports now closed.
    if (options.dir === undefined) await rm(dir, { recursive: true, force: true });
  };

  try {
    const [tokenPort, tokenMtlsPort, jwksPort] = await Promise.all([listen(tokenTls), listen(tokenMtls), listen(jwksHost)]);
    const issuer = `https://${HOST}:${tokenPort}`;
    const resource = `${issuer}/core/api`;
    const { d: _private, ...providerPublicKey } = material.providerKey;
    const apiOptions = {
      material,
      faults,
      tokenKeys: { keys: [{ ...providerPublicKey, use: 'sig', alg: 'ES256' }] },
      issuer,
      resource,
    };
    const apiTls = createApiHost({ ...apiOptions, mutual: false });
    const apiMtls = createApiHost({ ...apiOptions, mutual: true });
    servers.push(apiTls, apiMtls);
    const [apiPort, apiMtlsPort] = await Promise.all([listen(apiTls), listen(apiMtls)]);

    const endpoints: SandboxEndpoints = {
      token: `${issuer}${TOKEN_PATH}`,
      tokenMtls: `https://${HOST}:${tokenMtlsPort}${TOKEN_PATH}`,
      jwks: `http://${HOST}:${jwksPort}/${material.organisationId}/jwks.json`,
      api: `https://${HOST}:${apiPort}`,
      apiMtls: `https://${HOST}:${apiMtlsPort}`,
    };
    auth = await createAuthServer({ material, faults, issuer, resource, jwksUri: endpoints.jwks, log });
    const { configs, envFile, migration } = await writeConfigs(folder, material, endpoints);
    await folder.save();

    const tlsServers: Array<[HttpsServer, boolean]> = [
      [tokenTls, false],
      [tokenMtls, true],
      [apiTls, false],
      [apiMtls, true],
    ];
    const applyFaults = () => {
      for (const [server, mutual] of tlsServers) applyTlsFaults(server, material, faults, mutual);
      // Users' configs point at certs/*.pem: the client-certificate faults swap the files themselves.
      const certificates = clientCertificates(material, faults).files;
      replaceFile(files.signingCert, certificates.signingCert);
      replaceFile(files.transportCert, certificates.transportCert);
      auth?.forgetClientKeys();
    };
    applyFaults();

    return {
      dir,
      organisationId: material.organisationId,
      endpoints,
      configs,
      migration,
      envFile,
      caFile: files.caFile,
      ca: material.ca,
      clients: material.clients,
      kids: { signing: material.kids.signing, signingEs256: material.kids.signingEs256, transport: material.kids.transport },
      files,
      faults: () => [...active],
      setFaults(next) {
        const parsed = parseFaults(next);
        active.clear();
        for (const fault of parsed) active.add(fault);
        applyFaults();
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface SandboxCommandOptions {
  dir?: string;
  /** Overwrite existing files in `dir` that a sandbox did not write. */
  force?: boolean;
  faults: string[];
  out: NodeJS.WritableStream;
  /** Stops the sandbox like SIGINT does (for the demo and tests). */
  signal?: AbortSignal;
}

/** `golive sandbox`: runs until SIGINT/SIGTERM, then shuts every listener down. */
export async function runSandboxCommand(options: SandboxCommandOptions): Promise<void> {
  const faults = parseFaults(options.faults);
  const started = performance.now();
  const sandbox = await startSandbox({ ...(options.dir ? { dir: options.dir } : {}), force: options.force ?? false, faults });
  const { out } = options;
  const ms = Math.round(performance.now() - started);
  const rel = (file: string) => {
    const short = relative(process.cwd(), file);
    return short && !short.startsWith('..') ? short : file;
  };
  const lines = [
    `golive sandbox: a local Thredd-like platform on ${HOST} (started in ${ms} ms)`,
    '',
    `  token endpoint (TLS)   ${sandbox.endpoints.token}`,
    `  token endpoint (mTLS)  ${sandbox.endpoints.tokenMtls}`,
    `  organisation JWKS      ${sandbox.endpoints.jwks}`,
    `  API (TLS)              ${sandbox.endpoints.api}`,
    `  API (mTLS)             ${sandbox.endpoints.apiMtls}`,
    '',
    `  folder                 ${sandbox.dir}`,
    `  CA certificate         ${rel(sandbox.caFile)}`,
    `  secrets                ${rel(sandbox.envFile)}`,
    '',
    'Configs:',
    ...Object.entries(sandbox.configs).map(([name, file]) => `  ${name.padEnd(26)} ${rel(file)}`),
    '',
    ...(faults.length > 0
      ? ['Faults:', ...faults.map((fault) => `  ${fault}: ${FAULTS[fault]}`)]
      : ['Faults: none (add with --fault NAME; golive sandbox --help lists them)']),
    '',
    'Try:',
    `  golive check --env-file ${rel(sandbox.envFile)} ${rel(sandbox.configs['private_key_jwt-tls']!)}`,
    `  golive diff ${rel(sandbox.migration.uat)} ${rel(sandbox.migration.production)}   (migration review)`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  out.write(lines.join('\n'));
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
  });
  await sandbox.close();
  out.write('golive sandbox stopped.\n');
}

export { ENV_FILE_NAME };

/**
 * Replaces a file whole, by renaming a new one over it: a golive run reading
 * it meanwhile (golive watch) sees the old content or the new, never an
 * empty file, and a link put in its place is replaced, not written through.
 */
function replaceFile(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, content, { flag: 'wx', mode: 0o644 });
  renameSync(temporary, file);
}
