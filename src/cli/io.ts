import { randomBytes } from 'node:crypto';
import { constants, fstat as fstatCallback, write as writeCallback } from 'node:fs';
import { lstat, open, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileKind, type FileIdentity } from '../files/input.js';
import { makeFolder, WriteError, writeError } from '../files/output.js';

export { WriteError } from '../files/output.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/**
 * Colour and live spinners only for a person at a terminal (NO_COLOR, CI and
 * pipes get plain text). A terminal that reports 0 columns cannot be laid
 * out on (a live list would wrap at every character): it gets plain text too.
 */
export function isInteractive(io: Io): boolean {
  return io.stdout.isTTY === true && io.stdout.columns !== 0 && !io.env.NO_COLOR && !io.env.CI && io.env.TERM !== 'dumb';
}

const fstat = promisify(fstatCallback);
const writeFd = promisify(writeCallback) as (fd: number, buffer: Buffer, offset: number) => Promise<{ bytesWritten: number }>;

/**
 * Where a write lands. A regular file (or a new one) is replaced whole through
 * a temporary file in its own folder, behind any symbolic link; a FIFO or a
 * device is written in place, and a name of one of golive's own descriptors
 * (`/dev/stdout`, `/dev/fd/3`) is written to that descriptor: renaming over
 * either would put a regular file in its place.
 */
export type WriteTarget =
  | { kind: 'file'; path: string; existing?: FileIdentity & { mode: number; uid: number; gid: number } }
  | { kind: 'in-place'; path: string; identity: FileIdentity; fifo: boolean }
  | { kind: 'descriptor'; path: string; fd: number; identity: FileIdentity };

/** Symbolic links are followed at most this far, as the kernel does (ELOOP). */
const MAX_LINK_HOPS = 40;

/** The descriptor /dev/stdout, /dev/fd/3 or /proc/self/fd/1 names in this process, if the path is one. */
function ownDescriptor(absolute: string): number | undefined {
  const named = /^\/dev\/std(in|out|err)$/.exec(absolute);
  if (named) return ['in', 'out', 'err'].indexOf(named[1]!);
  const numbered = /^\/(?:dev\/fd|proc\/(self|thread-self|\d+)\/fd)\/(\d+)$/.exec(absolute);
  if (!numbered) return undefined;
  if (numbered[1] !== undefined && /^\d+$/.test(numbered[1]) && Number(numbered[1]) !== process.pid) return undefined;
  return Number(numbered[2]);
}

/** The descriptor a path names directly or through links (`out.json -> /dev/stdout`), if any. */
async function descriptorBehind(absolute: string): Promise<number | undefined> {
  let current = absolute;
  for (let hops = 0; hops < MAX_LINK_HOPS; hops++) {
    const fd = ownDescriptor(current);
    if (fd !== undefined) return fd;
    const info = await lstat(current).catch(() => undefined);
    if (!info?.isSymbolicLink()) return undefined;
    current = path.resolve(path.dirname(current), await readlink(current));
  }
  return undefined;
}

/** The last link of a chain that ends in a missing file: where a new file for it belongs. */
async function danglingLinkTarget(file: string): Promise<string> {
  let current = file;
  for (let hops = 0; hops < MAX_LINK_HOPS; hops++) {
    const info = await lstat(current).catch(() => undefined);
    if (!info?.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), await readlink(current));
  }
  throw new WriteError('ELOOP', 'it is a chain of symbolic links that does not end');
}

/** Where and how `file` (relative to `cwd`) would be written; refuses a folder or a path ending in "/". */
export async function resolveWriteTarget(file: string, cwd: string): Promise<WriteTarget> {
  if (file.endsWith('/') || (path.sep === '\\' && file.endsWith('\\'))) {
    throw new WriteError('EISDIR', 'the path ends in "/", so it names a folder; give a file name');
  }
  const absolute = path.resolve(cwd, file);
  const fd = await descriptorBehind(absolute);
  const info = await (fd === undefined ? stat(absolute) : fstat(fd)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' && fd === undefined) return undefined;
    throw writeError(error, error.code === 'ENOTDIR' ? 'a part of the path is a file, not a folder' : 'its path cannot be examined');
  });
  if (!info) {
    const target = await danglingLinkTarget(absolute);
    const folder = await realpath(path.dirname(target)).catch(() => path.dirname(target));
    return { kind: 'file', path: path.join(folder, path.basename(target)) };
  }
  const kind = fileKind(info);
  if (kind === 'folder') throw new WriteError('EISDIR', 'it is a folder; name a file in it');
  const identity = { dev: info.dev, ino: info.ino, born: info.birthtimeMs, realPath: await realpath(absolute).catch(() => absolute) };
  if (fd !== undefined) return { kind: 'descriptor', path: absolute, fd, identity };
  if (kind) return { kind: 'in-place', path: absolute, identity, fifo: info.isFIFO() };
  // A file reached through links is replaced where it really is; if its real path names another file, in place.
  const real = await stat(identity.realPath).catch(() => undefined);
  if (!real || real.dev !== info.dev || real.ino !== info.ino) return { kind: 'in-place', path: absolute, identity, fifo: false };
  return { kind: 'file', path: identity.realPath, existing: { ...identity, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid } };
}

/** A FIFO without a reader is waited for this long, then refused: a run never hangs on a pipe. */
const FIFO_READER_WAIT_MS = 10_000;

async function openFifoForWriting(file: string, waitMs: number) {
  const started = performance.now();
  for (;;) {
    try {
      // Non-blocking first: a blocking open waits for a reader with no way to give up.
      const probe = await open(file, constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        return await open(file, constants.O_WRONLY);
      } finally {
        await probe.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
      if (performance.now() - started > waitMs) {
        throw new WriteError('ENXIO', `it is a FIFO and no process read from it within ${waitMs / 1000} s`);
      }
      await sleep(50);
    }
  }
}

async function writeInPlace(target: Extract<WriteTarget, { kind: 'in-place' }>, content: string, fifoWaitMs: number): Promise<void> {
  const handle = target.fifo
    ? await openFifoForWriting(target.path, fifoWaitMs)
    : await open(target.path, constants.O_WRONLY | constants.O_TRUNC | (constants.O_NOCTTY ?? 0));
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

/** Output streams that own descriptors 1 and 2: writing through them keeps the order of what they printed. */
export type DescriptorStreams = Partial<Record<1 | 2, NodeJS.WritableStream>>;

async function writeToDescriptor(fd: number, content: string, streams: DescriptorStreams): Promise<void> {
  const stream = fd === 1 || fd === 2 ? streams[fd] : undefined;
  if (stream) {
    await new Promise<void>((resolve, reject) => stream.write(content, (error) => (error ? reject(error) : resolve())));
    return;
  }
  const bytes = Buffer.from(content);
  for (let offset = 0; offset < bytes.length; ) offset += (await writeFd(fd, bytes, offset)).bytesWritten;
}

/** An existing file keeps its mode and owner; one meant to be private (0600) never stays readable by others. */
function modeFor(target: Extract<WriteTarget, { kind: 'file' }>, requested: number): number | undefined {
  if (!target.existing) return undefined;
  return (requested & 0o077) === 0 ? target.existing.mode & ~0o077 : target.existing.mode;
}

async function replaceFile(target: Extract<WriteTarget, { kind: 'file' }>, content: string, requested: number): Promise<void> {
  const folder = path.dirname(target.path);
  await makeFolder(folder);
  const temporary = path.join(folder, `.${path.basename(target.path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // 'wx': never through a link someone placed at the temporary name.
    const handle = await open(temporary, 'wx', requested);
    try {
      await handle.writeFile(content);
      const mode = modeFor(target, requested);
      if (mode !== undefined) await handle.chmod(mode);
      const owner = target.existing;
      // Only root can give a file back to its owner; anyone else owns what they write.
      if (owner && process.getuid?.() === 0 && (owner.uid !== 0 || owner.gid !== 0)) await handle.chown(owner.uid, owner.gid);
    } finally {
      await handle.close();
    }
    await rename(temporary, target.path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes to a resolved target: whole or not at all for a file, in place for a device or descriptor. */
export async function writeToTarget(
  target: WriteTarget,
  content: string,
  options: { mode?: number; streams?: DescriptorStreams; fifoWaitMs?: number } = {},
): Promise<void> {
  try {
    if (target.kind === 'descriptor') await writeToDescriptor(target.fd, content, options.streams ?? {});
    else if (target.kind === 'in-place') await writeInPlace(target, content, options.fifoWaitMs ?? FIFO_READER_WAIT_MS);
    else await replaceFile(target, content, options.mode ?? 0o644);
  } catch (error) {
    throw writeError(error, `${target.path} cannot be written`);
  }
}

/**
 * Writes a file whole or not at all: a temporary file in the target's
 * folder, renamed over it, so a reader never sees half a report. Symbolic
 * links are written through, FIFOs and devices written in place, an existing
 * file keeps its mode; a folder is refused.
 */
export async function writeFileAtomic(file: string, content: string, mode = 0o644): Promise<void> {
  await writeToTarget(await resolveWriteTarget(file, process.cwd()), content, { mode, streams: { 1: process.stdout, 2: process.stderr } });
}
