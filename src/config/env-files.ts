import path from 'node:path';
import { CONFIG_FILE_LIMIT, describeInputProblem, InputFileError, readInputFile, type InputProblem } from '../files/input.js';
import { parseEnvFile, SECRET_NAME } from './interpolate.js';

/** An env file that could not be read: the caller says how (a usage error, a rejected call). */
export class EnvFileError extends Error {
  /** The errno code for a missing or unreadable file, else the problem's kind (`not-a-file`, `too-large`). */
  readonly code: string;
  /** "cannot be read (ENOENT)", "is a FIFO (named pipe), not a regular file": ends a sentence naming the file. */
  readonly reason: string;

  constructor(
    readonly file: string,
    readonly problem: InputProblem,
  ) {
    const reason = 'code' in problem ? `cannot be read (${problem.code})` : describeInputProblem(problem);
    super(`env file ${file} ${reason}`);
    this.name = 'EnvFileError';
    this.code = 'code' in problem ? problem.code : problem.kind;
    this.reason = reason;
  }
}

/**
 * The variables of dotenv files, later files winning, and the values of
 * those whose names mark them secret (to redact from every output).
 */
export async function readEnvFiles(files: readonly string[], cwd: string): Promise<{ variables: Record<string, string>; secrets: string[] }> {
  // No prototype, as parseEnvFile's: on a plain object, Object.assign would hand `__proto__=x` to the prototype setter and drop it.
  const variables: Record<string, string> = Object.create(null);
  for (const file of files) {
    let text: string;
    try {
      text = (await readInputFile(path.resolve(cwd, file), { role: 'the --env-file', limit: CONFIG_FILE_LIMIT })).toString('utf8');
    } catch (error) {
      if (error instanceof InputFileError) throw new EnvFileError(file, error.problem);
      throw error;
    }
    Object.assign(variables, parseEnvFile(text));
  }
  const secrets = Object.entries(variables).flatMap(([name, value]) => (SECRET_NAME.test(name) ? [value] : []));
  return { variables, secrets };
}
