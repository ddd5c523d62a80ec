import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { SandboxArgs } from '../spec.js';

export async function sandboxCommand(args: SandboxArgs, io: Io): Promise<number> {
  const { runSandboxCommand, parseFaults, SandboxFilesExistError, WriteError } = await import('../../sandbox/index.js');
  const faults = args.fault ?? [];
  try {
    parseFaults(faults);
  } catch (error) {
    throw new UsageError((error as Error).message, 'sandbox');
  }
  try {
    await runSandboxCommand({ dir: args.dir, force: args.force ?? false, faults, out: io.stdout });
  } catch (error) {
    if (error instanceof WriteError && args.dir !== undefined) throw new UsageError(`--dir ${args.dir} cannot be used (${error.code}: ${error.detail})`, 'sandbox');
    if (!(error instanceof SandboxFilesExistError)) throw error;
    io.stderr.write(
      `golive sandbox: ${args.dir} already holds ${error.files.length === 1 ? 'a file' : 'files'} a sandbox did not write (or that changed since):\n` +
        error.files.map((file) => `  ${file}\n`).join('') +
        'Nothing was written. Use --force to overwrite them, or name an empty or new --dir.\n',
    );
    return EXIT.failed;
  }
  return EXIT.ready;
}
