import path from 'node:path';
import { EnvFileError, readEnvFiles } from '../config/env-files.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

/** The variables of each --env-file and their secret values; an unreadable file is a usage error. */
export async function loadEnvFiles(files: readonly string[], io: Io, command: string): Promise<{ variables: Record<string, string>; secrets: string[] }> {
  try {
    return await readEnvFiles(files, io.cwd);
  } catch (error) {
    if (error instanceof EnvFileError) throw new UsageError(`--env-file ${error.file} cannot be read (${error.code})`, command);
    throw error;
  }
}

/** An artifact must never overwrite an input (a config, an env file) or another artifact. */
export function guardArtifacts(artifacts: Partial<Record<string, string>>, inputs: readonly string[], io: Io, command: string): void {
  const taken = new Map(inputs.map((input) => [path.resolve(io.cwd, input), 'an input of this run']));
  for (const [flag, file] of Object.entries(artifacts)) {
    if (!file) continue;
    const target = path.resolve(io.cwd, file);
    const clash = taken.get(target);
    if (clash) throw new UsageError(`--${flag} ${file} would overwrite ${clash}; name another file`, command);
    taken.set(target, `the --${flag} report`);
  }
}
