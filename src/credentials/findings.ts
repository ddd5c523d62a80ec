import path from 'node:path';
import { CREDENTIAL_FILE_LIMIT, describeInputProblem, InputFileError, readInputFile } from '../files/input.js';
import type { CredentialMemo } from './memo.js';

/**
 * Why a credential file could not be used. Stable: the credential checks
 * report it as their finding's `code`, so scripts and support key on it.
 */
export type CredentialProblem =
  | 'file-unreadable'
  | 'file-too-large'
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
  | 'pkcs12-iterations'
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
  /** The run's loaded credentials: bytes loaded before with the same inputs are not parsed again. */
  memo?: CredentialMemo;
}

/** How loaders name the file and its settings in messages. */
export interface Naming {
  file: string;
  setting(field: 'privateKey' | 'certificate' | 'passphrase'): string;
}

/** What a finding's text depends on in a Naming: the file as shown, and the section its settings are in. */
export function namingInputs(naming: Naming): string[] {
  return [naming.file, naming.setting('passphrase')];
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
    bytes = await readInputFile(file, { role: naming.setting(field), limit: CREDENTIAL_FILE_LIMIT });
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    const { problem } = error;
    if (problem.kind === 'too-large') {
      return failure(
        'file-too-large',
        `${naming.file} ${describeInputProblem(problem)}; a key or certificate file is a few kilobytes.`,
        `Check ${naming.setting(field)}: it should name the PEM or PKCS#12 file itself, not a log, archive or disk image.`,
        { bytes: problem.size, limitBytes: problem.limit },
      );
    }
    if (problem.kind === 'not-a-file') {
      return failure(
        'file-unreadable',
        problem.fileKind === 'folder' ? `${naming.file} ${READ_ERRORS['EISDIR']}.` : `${naming.file} ${describeInputProblem(problem)}.`,
        `Check ${naming.setting(field)}: it must name a regular file (golive does not read keys from pipes or devices).`,
        { code: problem.fileKind === 'folder' ? 'EISDIR' : 'not-a-regular-file', fileKind: problem.fileKind },
      );
    }
    const code = problem.code;
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
