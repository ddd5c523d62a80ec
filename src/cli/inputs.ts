import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { EnvFileError, readEnvFiles } from '../config/env-files.js';
import { fileIdentity, InputLedger, sameFile, type FileIdentity, type InputRecord } from '../files/input.js';
import { UsageError } from './errors.js';
import { resolveWriteTarget, WriteError, type Io, type WriteTarget } from './io.js';

/** The variables of each --env-file and their secret values; an unreadable file is a usage error. */
export async function loadEnvFiles(files: readonly string[], io: Io, command: string): Promise<{ variables: Record<string, string>; secrets: string[] }> {
  try {
    return await readEnvFiles(files, io.cwd);
  } catch (error) {
    if (error instanceof EnvFileError) throw new UsageError(`--env-file ${error.file} ${error.reason}`, command);
    throw error;
  }
}

/** "the config golive.yaml", "signing.privateKey (certs/signing.key)". */
function describeInput(record: InputRecord, io: Io): string {
  const relative = path.relative(io.cwd, record.file);
  const shown = relative && !relative.startsWith('..') ? relative : record.file;
  return record.role.startsWith('the ') ? `${record.role} ${shown}` : `${record.role} (${shown})`;
}

/** The file an artifact replaces, or for a new one the real path it will have. */
function landing(target: WriteTarget): Partial<FileIdentity> {
  if (target.kind !== 'file') return target.identity;
  return target.existing ?? { realPath: target.path };
}

/**
 * Where each artifact will be written, after refusing any that would
 * overwrite an input of the run (a config, an env file, a key, a
 * certificate, a CA file) or another artifact. Files are compared by device
 * and inode and by real path, not by spelling: `./cfg.yaml`, a link to it, a
 * hard link and /proc/self/cwd/cfg.yaml are all the config. A path that
 * cannot be written is refused too, unless `unwritable` is 'later' (before
 * the run: the write says so after the report).
 */
export async function planArtifacts<F extends string>(
  artifacts: Partial<Record<F, string>>,
  inputs: InputLedger,
  io: Io,
  command: string,
  unwritable: 'refuse' | 'later' = 'refuse',
): Promise<Map<F, WriteTarget>> {
  const targets = new Map<F, WriteTarget>();
  for (const [flag, file] of Object.entries(artifacts) as [F, string | undefined][]) {
    if (!file) continue;
    let target: WriteTarget;
    try {
      target = await resolveWriteTarget(file, io.cwd);
    } catch (error) {
      if (!(error instanceof WriteError)) throw error;
      if (unwritable === 'later') continue;
      throw new UsageError(`--${flag} ${file} cannot be written (${error.code}: ${error.detail}); the report above is complete`, command);
    }
    const where = landing(target);
    const input = inputs.find(where);
    if (input) throw new UsageError(`--${flag} ${file} would overwrite ${describeInput(input, io)}, an input of this run; name another file`, command);
    const other = [...targets].find(([, earlier]) => sameFile(landing(earlier), where));
    if (other) throw new UsageError(`--${flag} ${file} would overwrite the --${other[0]} report; name another file`, command);
    targets.set(flag, target);
  }
  return targets;
}

/** Where a missing file would be created: its folder's real path, as resolveWriteTarget names a new file. */
async function missingFilePath(absolute: string): Promise<string> {
  const folder = await realpath(path.dirname(absolute)).catch(() => path.dirname(absolute));
  return path.join(folder, path.basename(absolute));
}

/** Before the run: the artifacts against the files named on the command line (configs, env files). */
export async function guardArtifacts(
  artifacts: Partial<Record<string, string>>,
  inputs: readonly { file: string; role: string }[],
  io: Io,
  command: string,
): Promise<void> {
  const named = new InputLedger();
  for (const { file, role } of inputs) {
    const absolute = path.resolve(io.cwd, file);
    // A missing config still must not be the report's name: the next run would read the report as its config.
    const identity = (await fileIdentity(absolute)) ?? { realPath: await missingFilePath(absolute) };
    named.add({ file: absolute, role, ...identity });
  }
  await planArtifacts(artifacts, named, io, command, 'later');
}
