import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeFolder, writeError } from '../files/output.js';

/**
 * The files a sandbox writes into its folder (`--dir`), and which of them it
 * may write again. A user's folder is theirs: an existing file is replaced
 * only when this sandbox wrote it and nobody changed it since (a restart
 * rewrites its configs with new ports), or with `force`. The sandbox's own
 * state under `.sandbox/` (its material and this record) is not a user file.
 */

/** SHA-256 of each file's contents as last written, by name relative to the folder. */
const RECORD = join('.sandbox', 'written.json');
const RECORD_VERSION = 1;
/** A file the sandbox wrote is a few kilobytes; a larger one is the user's. */
const MAX_OWNED_BYTES = 1024 * 1024;

/** Existing files the sandbox would have overwritten; nothing was written. */
export class SandboxFilesExistError extends Error {
  constructor(
    readonly dir: string,
    readonly files: readonly string[],
  ) {
    super(`${dir} already holds ${files.length === 1 ? 'a file' : 'files'} golive sandbox did not write: ${files.join(', ')}`);
    this.name = 'SandboxFilesExistError';
  }
}

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

async function readRecord(dir: string): Promise<Map<string, string[]>> {
  const text = await readFile(join(dir, RECORD), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return new Map();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // A damaged record proves no ownership: every existing file counts as the user's.
    return new Map();
  }
  const files = (data as { version?: unknown; files?: unknown }).version === RECORD_VERSION ? (data as { files?: unknown }).files : undefined;
  if (typeof files !== 'object' || files === null) return new Map();
  return new Map(
    Object.entries(files).flatMap(([name, hashes]) =>
      Array.isArray(hashes) && hashes.every((hash) => typeof hash === 'string') ? [[name, hashes as string[]]] : [],
    ),
  );
}

export class SandboxFolder {
  readonly #owned: Map<string, string[]>;
  readonly #force: boolean;
  readonly #written = new Map<string, string[]>();

  private constructor(
    readonly dir: string,
    owned: Map<string, string[]>,
    force: boolean,
  ) {
    this.#owned = owned;
    this.#force = force;
  }

  static async open(dir: string, options: { force?: boolean } = {}): Promise<SandboxFolder> {
    return new SandboxFolder(dir, await readRecord(dir), options.force ?? false);
  }

  /**
   * Refuses, writing nothing, when any of `names` exists but is not a file
   * this sandbox wrote (or was changed since); `force` allows it.
   */
  async claim(names: readonly string[]): Promise<void> {
    if (this.#force) return;
    const foreign: string[] = [];
    for (const name of names) {
      if (!(await this.#mayReplace(name))) foreign.push(name);
    }
    if (foreign.length > 0) throw new SandboxFilesExistError(this.dir, foreign);
  }

  async #mayReplace(name: string): Promise<boolean> {
    const file = join(this.dir, name);
    const info = await lstat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) return true;
    // A link, pipe or folder in its place was put there by someone else: writing would go through it.
    if (!info.isFile() || info.size > MAX_OWNED_BYTES) return false;
    const hashes = this.#owned.get(name);
    return hashes !== undefined && hashes.includes(sha256(await readFile(file)));
  }

  /**
   * Writes `name`; `secret` files are 0600. `variants` are other contents the
   * sandbox itself may put there while it runs (a fault swapping a certificate).
   */
  async write(name: string, content: string, options: { secret?: boolean; variants?: readonly string[] } = {}): Promise<string> {
    const file = join(this.dir, name);
    await makeFolder(dirname(file));
    try {
      // With force, a link or other special file in the way is removed rather than written through.
      if (this.#force && !(await lstat(file).then((info) => info.isFile(), () => true))) await rm(file);
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0);
      await writeFile(file, content, { flag: flags, mode: options.secret ? 0o600 : 0o644 });
      // writeFile keeps the mode of an existing file; a reused folder may hold one made looser by hand.
      if (options.secret) await chmod(file, 0o600);
    } catch (error) {
      throw writeError(error, `${file} cannot be written`);
    }
    this.#written.set(name, [content, ...(options.variants ?? [])].map(sha256));
    return file;
  }

  /** Records what was written, so the next start in this folder may write it again. */
  async save(): Promise<void> {
    const files = Object.fromEntries(
      [...new Map([...this.#owned, ...this.#written])].sort(([a], [b]) => a.localeCompare(b)),
    );
    const file = join(this.dir, RECORD);
    await makeFolder(dirname(file));
    await writeFile(file, `${JSON.stringify({ version: RECORD_VERSION, files }, null, 2)}\n`, { mode: 0o600 });
  }
}
