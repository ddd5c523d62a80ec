import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnvFile, SECRET_NAME } from './interpolate.js';

/** An env file that could not be read: the caller says how (a usage error, a rejected call). */
export class EnvFileError extends Error {
  constructor(
    readonly file: string,
    readonly code: string,
  ) {
    super(`env file ${file} cannot be read (${code})`);
    this.name = 'EnvFileError';
  }
}

/**
 * The variables of dotenv files, later files winning, and the values of
 * those whose names mark them secret (to redact from every output).
 */
export async function readEnvFiles(files: readonly string[], cwd: string): Promise<{ variables: Record<string, string>; secrets: string[] }> {
  const variables: Record<string, string> = {};
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(path.resolve(cwd, file), 'utf8');
    } catch (error) {
      throw new EnvFileError(file, (error as NodeJS.ErrnoException).code ?? 'error');
    }
    Object.assign(variables, parseEnvFile(text));
  }
  const secrets = Object.entries(variables).flatMap(([name, value]) => (SECRET_NAME.test(name) ? [value] : []));
  return { variables, secrets };
}
