import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnvFile } from '../config/interpolate.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

/** The variables of each --env-file, later files winning; an unreadable file is a usage error. */
export async function loadEnvFiles(files: readonly string[], io: Io, command: string): Promise<Record<string, string>> {
  const merged: Record<string, string> = {};
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(path.resolve(io.cwd, file), 'utf8');
    } catch (error) {
      throw new UsageError(`--env-file ${file} cannot be read (${(error as NodeJS.ErrnoException).code})`, command);
    }
    Object.assign(merged, parseEnvFile(text));
  }
  return merged;
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
