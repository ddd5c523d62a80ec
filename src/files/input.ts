import { constants, type Stats } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Every file golive reads for a run (configs, env files, keys, certificates,
 * CA files, a received report) is read here: only regular files, only up to
 * a size limit, and each one recorded, so that no report is ever written over
 * a file the run read, however the two paths are spelt.
 */

/** A config or env file is a few kilobytes; a megabyte is a wrong file (a log, /dev/zero, a bundle). */
export const CONFIG_FILE_LIMIT = 1024 * 1024;
/** Keys, certificates, PKCS#12 bundles and CA files: a full public CA bundle is about 250 KB. */
export const CREDENTIAL_FILE_LIMIT = 1024 * 1024;
/** A golive JSON report is a few hundred kilobytes at most. */
export const REPORT_FILE_LIMIT = 16 * 1024 * 1024;

export type FileKind = 'folder' | 'FIFO (named pipe)' | 'character device' | 'block device' | 'socket' | 'special file';

export type InputProblem =
  | { kind: 'missing' | 'unreadable'; code: string }
  | { kind: 'not-a-file'; fileKind: FileKind }
  | { kind: 'too-large'; size: number; limit: number };

/** A file that cannot be an input; `problem` says why, for the caller to word. */
export class InputFileError extends Error {
  /** The errno code for missing and unreadable files, as fs errors carry it. */
  readonly code: string | undefined;

  constructor(
    readonly file: string,
    readonly problem: InputProblem,
  ) {
    super(`${file} ${describeInputProblem(problem)}`);
    this.name = 'InputFileError';
    this.code = 'code' in problem ? problem.code : undefined;
  }
}

export function fileKind(info: Stats): FileKind | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'folder';
  if (info.isFIFO()) return 'FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'character device';
  if (info.isBlockDevice()) return 'block device';
  if (info.isSocket()) return 'socket';
  return 'special file';
}

/** 1048576 as "1 MiB", 1500000 as "1.4 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${shown} ${units[unit]}`;
}

/** The end of a sentence starting with the file's name: "x.yaml is a FIFO (named pipe), not a regular file". */
export function describeInputProblem(problem: InputProblem): string {
  switch (problem.kind) {
    case 'missing':
      return 'does not exist';
    case 'unreadable':
      return `cannot be read (${problem.code})`;
    case 'not-a-file':
      return `is a ${problem.fileKind}, not a regular file`;
    case 'too-large':
      return `is ${formatBytes(problem.size)} (${problem.size} bytes), over golive's limit of ${formatBytes(problem.limit)} for this file`;
  }
}

/** Where a file lives, whatever the spelling of its path: device and inode, and the real path. */
export interface FileIdentity {
  realPath: string;
  dev: number;
  ino: number;
  /**
   * When the inode was made (birthtimeMs; 0 where the filesystem keeps
   * none). A file replaced by rename frees its inode, and the next file
   * written may get the same number: the same device and inode name the
   * same file only if it was born at the same time.
   */
  born?: number;
}

/** Whether two identities are one file: the same device and inode (of the same birth), or the same real path. */
export function sameFile(a: Partial<FileIdentity>, b: Partial<FileIdentity>): boolean {
  const bornApart = Boolean(a.born) && Boolean(b.born) && a.born !== b.born;
  return (a.dev !== undefined && a.dev === b.dev && a.ino === b.ino && !bornApart) || (a.realPath !== undefined && a.realPath === b.realPath);
}

/** A file the run reads; no device and inode for one named on the command line that does not exist (yet). */
export interface InputRecord extends Partial<FileIdentity> {
  realPath: string;
  /** The path as it was read. */
  file: string;
  /** What the file is to the run: "the config", "signing.privateKey", "the --env-file". */
  role: string;
}

/**
 * The files one run read. Reads inside `track()` record themselves, so the
 * loaders deep in the checks need no extra parameter to report what they read.
 */
export class InputLedger {
  readonly #records: InputRecord[] = [];
  /** Files and roles recorded, as `has` asks: the configs of a run name the same files over and over. */
  readonly #recorded = new Map<string, Set<string>>();

  /**
   * Every file read until `run` settles is recorded here, and in any other
   * ledger tracking meanwhile (only tests run two at once). No
   * AsyncLocalStorage: on Node 20 and 22 it turns on async hooks for the whole
   * process, a hook call per promise, ~70 ms of an online check.
   */
  async track<T>(run: () => Promise<T>): Promise<T> {
    tracking.set(this, (tracking.get(this) ?? 0) + 1);
    try {
      return await run();
    } finally {
      const depth = (tracking.get(this) ?? 1) - 1;
      if (depth === 0) tracking.delete(this);
      else tracking.set(this, depth);
    }
  }

  add(record: InputRecord): void {
    // Checks load the same key more than once; one entry per file and role is enough.
    if (this.has(record.file, record.role)) return;
    this.#records.push(record);
    const roles = this.#recorded.get(record.file);
    if (roles) roles.add(record.role);
    else this.#recorded.set(record.file, new Set([record.role]));
  }

  /** Whether the file (an absolute path) is recorded in that role. */
  has(file: string, role: string): boolean {
    return this.#recorded.get(file)?.has(role) ?? false;
  }

  /** The input a file is, matched by device and inode or by real path. */
  find(identity: Partial<FileIdentity>): InputRecord | undefined {
    return this.#records.find((record) => sameFile(identity, record));
  }

  get records(): readonly InputRecord[] {
    return this.#records;
  }
}

/** The ledgers tracking now, each with how many `track` calls hold it open. */
const tracking = new Map<InputLedger, number>();

async function realPathOf(file: string): Promise<string> {
  // A path realpath cannot resolve (a deleted file behind /proc/self/fd) is still named by itself.
  return realpath(file).catch(() => path.resolve(file));
}

/** The identity of an existing file (following symbolic links); undefined when there is none. */
export async function fileIdentity(file: string): Promise<FileIdentity | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (!info) return undefined;
  return { realPath: await realPathOf(file), dev: info.dev, ino: info.ino, born: info.birthtimeMs };
}

/**
 * Records a file the run depends on without reading it (a key file named by
 * the config, before any check loads it), so no report replaces it either.
 * `info`: the file's stat, when the caller has it.
 */
export async function noteInputFile(file: string, role: string, info?: Stats): Promise<void> {
  const absolute = path.resolve(file);
  const ledgers = [...tracking.keys()].filter((ledger) => !ledger.has(absolute, role));
  if (ledgers.length === 0) return;
  const identity = info ? { realPath: await realPathOf(file), dev: info.dev, ino: info.ino, born: info.birthtimeMs } : await fileIdentity(file);
  if (identity) for (const ledger of ledgers) ledger.add({ file: absolute, role, ...identity });
}

function errnoProblem(error: unknown): InputProblem {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return code === 'ENOENT' ? { kind: 'missing', code } : { kind: 'unreadable', code };
}

/**
 * Reads a regular file of at most `limit` bytes. A FIFO, device, socket or
 * folder is refused before it is opened, so a read never blocks on a pipe
 * nor drains /dev/zero; the read stops at the limit even when the size
 * on disk said otherwise (files under /proc report 0).
 */
export async function readInputFile(file: string, options: { role: string; limit: number }): Promise<Buffer> {
  const absolute = path.resolve(file);
  const before = await stat(absolute).catch((error: unknown) => {
    throw new InputFileError(file, errnoProblem(error));
  });
  refuseUnlessSmallRegularFile(file, before, options.limit);
  // O_NONBLOCK: if a FIFO took the file's place since the stat, opening it still returns at once.
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
  const handle = await open(absolute, flags).catch((error: unknown) => {
    throw new InputFileError(file, errnoProblem(error));
  });
  try {
    const info = await handle.stat();
    refuseUnlessSmallRegularFile(file, info, options.limit);
    // Sized to the file (one byte more, to see it end): a fixed 64 KiB buffer per read is
    // memory the garbage collector must reclaim, and a run with many configs reads many files.
    let buffer = Buffer.allocUnsafe(Math.min(info.size + 1, options.limit + 1));
    let total = 0;
    for (;;) {
      if (total === buffer.length) {
        // The file grew since the stat, or reports no size (files under /proc): read on in larger steps.
        const larger = Buffer.allocUnsafe(Math.min(Math.max(2 * buffer.length, 64 * 1024), options.limit + 1));
        buffer.copy(larger, 0, 0, total);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, total, buffer.length - total, null).catch((error: unknown) => {
        throw new InputFileError(file, errnoProblem(error));
      });
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > options.limit) throw new InputFileError(file, { kind: 'too-large', size: Math.max(total, info.size), limit: options.limit });
      // The whole file as its size said, and short of the byte more asked for: it ends here.
      if (total === info.size && total < buffer.length) break;
    }
    const ledgers = [...tracking.keys()].filter((ledger) => !ledger.has(absolute, options.role));
    if (ledgers.length > 0) {
      const record = { file: absolute, role: options.role, realPath: await realPathOf(absolute), dev: info.dev, ino: info.ino, born: info.birthtimeMs };
      for (const ledger of ledgers) ledger.add(record);
    }
    return buffer.subarray(0, total);
  } finally {
    await handle.close();
  }
}

function refuseUnlessSmallRegularFile(file: string, info: Stats, limit: number): void {
  const kind = fileKind(info);
  if (kind) throw new InputFileError(file, { kind: 'not-a-file', fileKind: kind });
  if (info.size > limit) throw new InputFileError(file, { kind: 'too-large', size: info.size, limit });
}
