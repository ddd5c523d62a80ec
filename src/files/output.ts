import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

// Shared by the CLI's report artifacts and the sandbox's generated files.

/** A path that cannot be written; `code` is the errno-style reason, `detail` says it for a person. */
export class WriteError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'WriteError';
  }
}

export function writeError(error: unknown, detail: string): WriteError {
  if (error instanceof WriteError) return error;
  return new WriteError((error as NodeJS.ErrnoException).code ?? 'error', detail);
}

/**
 * Creates a folder and its missing parents one level at a time, so a parent
 * that cannot hold folders (/proc, a read-only mount) fails at once with its
 * name; Node's recursive mkdir retries such a path without end.
 */
export async function makeFolder(dir: string, options: { mode?: number } = {}): Promise<void> {
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw writeError(error, `the folder ${current} cannot be examined`);
    });
    if (info) {
      if (!info.isDirectory()) throw new WriteError('ENOTDIR', `${current} is not a folder`);
      break;
    }
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder, options.mode === undefined ? undefined : { mode: options.mode });
    } catch (error) {
      const exists = (error as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(folder).catch(() => undefined))?.isDirectory();
      if (!exists) throw writeError(error, `the folder ${folder} cannot be created`);
    }
  }
}

