import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Why a credential file could not be used; stable, so tests and scripts can key on it. */
export type CredentialProblem =
  | 'file-unreadable'
  | 'file-empty'
  | 'pem-malformed'
  | 'unrecognised-format'
  | 'not-a-private-key'
  | 'not-a-certificate'
  | 'multiple-keys'
  | 'key-unsupported'
  | 'key-corrupt'
  | 'certificate-corrupt'
  | 'passphrase-missing'
  | 'passphrase-wrong'
  | 'pkcs12-password-missing'
  | 'pkcs12-password-wrong'
  | 'pkcs12-corrupt'
  | 'pkcs12-no-key'
  | 'pkcs12-no-certificate';

/** A problem explained for a person: never holds key material or passphrases. */
export interface CredentialFinding {
  problem: CredentialProblem;
  message: string;
  hint: string;
  evidence: Record<string, unknown>;
}

export type LoadResult<T> =
  | { ok: true; value: T; /** In-memory PEM repairs, empty when the file was clean. */ repaired: string[] }
  | { ok: false; finding: CredentialFinding };

export interface LoadOptions {
  /** The file as the user knows it, e.g. relative to the config folder. Default: its base name. */
  displayName?: string;
  /** The config section naming the file, used in hints (`signing` gives `signing.passphrase`). */
  section?: string;
}

/** How loaders name the file and its settings in messages. */
export interface Naming {
  file: string;
  setting(field: 'privateKey' | 'certificate' | 'passphrase'): string;
}

export function namingFor(file: string, options: LoadOptions = {}): Naming {
  const shown = options.displayName ?? path.basename(file);
  return {
    file: shown,
    setting: (field) => (options.section ? `${options.section}.${field}` : field),
  };
}

export function failure(problem: CredentialProblem, message: string, hint: string, evidence: Record<string, unknown> = {}): { ok: false; finding: CredentialFinding } {
  return { ok: false, finding: { problem, message, hint, evidence } };
}

/** The identifying parts of a library error (OpenSSL `ERR_OSSL_*`, Node `ERR_*`), never its input. */
export function libraryError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const { code, reason } = error as { code?: unknown; reason?: unknown };
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof reason === 'string' ? { reason } : { reason: error.message }),
  };
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'is not readable (permission denied)',
  EPERM: 'is not readable (operation not permitted)',
  EISDIR: 'is a folder, not a file',
};

export async function readCredentialFile(
  file: string,
  naming: Naming,
  field: 'privateKey' | 'certificate',
): Promise<{ ok: true; bytes: Buffer } | { ok: false; finding: CredentialFinding }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    return failure(
      'file-unreadable',
      `${naming.file} ${READ_ERRORS[code] ?? `could not be read (${code})`}.`,
      `Check ${naming.setting(field)}: the path resolves against the config file's folder, and the file must be readable by this user.`,
      { code },
    );
  }
  if (bytes.length === 0 || bytes.toString('latin1').trim().length === 0) {
    return failure('file-empty', `${naming.file} is empty.`, `Copy the ${field === 'certificate' ? 'certificate' : 'private key'} into ${naming.file} again.`, {
      bytes: bytes.length,
    });
  }
  return { ok: true, bytes };
}
