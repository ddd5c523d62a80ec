import { spawnSync } from 'node:child_process';
import { closeSync, constants, cpSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Folders for fuzz cases. Every case gets a fresh copy of a template folder
 * (fixtures), so a case that overwrites a file cannot change the next one,
 * and a case is replayable from its seed and path alone.
 *
 * Paths given to golive always stay inside the case folder: the machine
 * runs as root, and an arbitrary absolute path would be written for real.
 */

export const SPECIAL = {
  /** A named pipe no one writes to (or reads from): opening it blocks. */
  fifo: 'fifo',
  /** A character device like /dev/null, local to the case (never the real /dev/null: a writer that renames over it would replace it). */
  device: 'nul',
} as const;

/** A root folder for one test file, removed by the caller. */
export function fuzzRoot(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `golive-fuzz-${prefix}-`));
}

/**
 * Moves the process into an empty folder of its own: golive must resolve
 * every path against `io.cwd`, so anything that lands here was written
 * relative to process.cwd() by mistake (and not into the repository).
 */
export function isolateProcessCwd(root: string): string {
  const dir = path.join(root, 'process-cwd');
  mkdirSync(dir, { recursive: true });
  process.chdir(dir);
  return dir;
}

/** Names of whatever appeared in the process's own folder; removes them. */
export function strayFiles(processCwd: string): string[] {
  const names = readdirSync(processCwd);
  for (const name of names) rmSync(path.join(processCwd, name), { recursive: true, force: true });
  return names;
}

let caseCounter = 0;

export interface CaseFolder {
  dir: string;
  /** Unblocks anything stuck on the case's FIFO, then removes the folder. */
  dispose(): void;
}

/** A fresh copy of `template`; the FIFO and device only when `needs` says the case names them. */
export function caseFolder(root: string, template: string, needs: { fifo: boolean; device: boolean }): CaseFolder {
  const dir = path.join(root, `case-${++caseCounter}`);
  cpSync(template, dir, { recursive: true, verbatimSymlinks: true });
  const specials: string[] = [];
  if (needs.fifo) specials.push(`mkfifo ${SPECIAL.fifo}`);
  if (needs.device) specials.push(`mknod ${SPECIAL.device} c 1 3`);
  if (specials.length > 0) {
    const made = spawnSync('sh', ['-c', specials.join(' && ')], { cwd: dir, stdio: 'ignore' });
    if (made.status !== 0) throw new Error(`cannot make ${specials.join(', ')} in ${dir}`);
  }
  return {
    dir,
    dispose() {
      if (needs.fifo) releaseFifos(dir);
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/**
 * Opens every FIFO under `dir` from the other side, without blocking: a
 * reader stuck in open() gets a writer that closes at once (so it reads
 * end-of-file), a writer stuck in open() gets a reader. Either way the libuv
 * thread it holds is freed, so one hung case does not starve the next.
 */
export function releaseFifos(dir: string): void {
  for (const file of walk(dir)) {
    if (!file.stats.isFIFO()) continue;
    for (let round = 0; round < 2; round++) {
      try {
        const reader = openSync(file.path, constants.O_RDONLY | constants.O_NONBLOCK);
        try {
          const buffer = Buffer.alloc(65536);
          while (readSync(reader, buffer, 0, buffer.length, null) > 0);
        } catch {
          // EAGAIN: nothing more to drain.
        }
        closeSync(reader);
      } catch {
        // Gone already.
      }
      try {
        closeSync(openSync(file.path, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // ENXIO: no reader waiting.
      }
    }
  }
}

export interface WalkedFile {
  path: string;
  /** Relative to the walked folder. */
  name: string;
  stats: Stats;
}

/** Every entry under `dir` (symbolic links not followed), depth-first. */
export function walk(dir: string, base = dir): WalkedFile[] {
  const out: WalkedFile[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    let stats: Stats;
    try {
      stats = lstatSync(file);
    } catch {
      continue;
    }
    out.push({ path: file, name: path.relative(base, file), stats });
    if (stats.isDirectory()) out.push(...walk(file, base));
  }
  return out;
}

/** What identifies a file's content without reading it: changes when the file is replaced or rewritten. */
export function identity(file: string, follow = true): string | undefined {
  try {
    const stats = follow ? statSync(file) : lstatSync(file);
    return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.mode}`;
  } catch {
    return undefined;
  }
}

/** The identities of every entry of a folder, by relative name. */
export function snapshot(dir: string): Map<string, string> {
  return new Map(walk(dir).map((file) => [file.name, `${file.stats.ino}:${file.stats.size}:${file.stats.mtimeMs}:${file.stats.mode}`]));
}

/** Regular files that are new or changed since `before`, with their content (up to `limit` bytes each). */
export function changedFiles(dir: string, before: Map<string, string>, limit = 8 * 1024 * 1024): { name: string; content: string }[] {
  const out: { name: string; content: string }[] = [];
  for (const file of walk(dir)) {
    if (!file.stats.isFile()) continue;
    const id = `${file.stats.ino}:${file.stats.size}:${file.stats.mtimeMs}:${file.stats.mode}`;
    if (before.get(file.name) === id) continue;
    let content: Buffer;
    try {
      content = file.stats.size > limit ? Buffer.alloc(0) : readFileSync(file.path);
    } catch {
      continue;
    }
    out.push({ name: file.name, content: content.toString('utf8') });
  }
  return out;
}

/**
 * Makes an arbitrary string safe to hand golive as a path: no `/`, so it
 * cannot be absolute or climb out of the case folder. Strings meant as paths
 * come from the fixtures instead.
 */
export function confined(text: string): string {
  return text.replace(/[/\\]/g, '\u2215');
}

/**
 * A non-blocking reader of a FIFO that drains it until stopped, as a
 * `--json >(cat)` would: a writer never waits for a reader that never comes.
 * With `delayMs` the reader arrives late.
 */
export function fifoReader(file: string, delayMs = 0): { stop(): Buffer } {
  const chunks: Buffer[] = [];
  let fd: number | undefined;
  const drain = () => {
    if (fd === undefined) return;
    const buffer = Buffer.alloc(65536);
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, buffer, 0, buffer.length, null);
      } catch {
        return; // EAGAIN: a writer is there, nothing to read yet
      }
      if (read === 0) return;
      chunks.push(Buffer.from(buffer.subarray(0, read)));
    }
  };
  const open = () => {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  };
  const late = delayMs > 0 ? setTimeout(open, delayMs) : (open(), undefined);
  const timer = setInterval(drain, 5);
  let stopped = false;
  return {
    stop() {
      if (!stopped) {
        stopped = true;
        clearTimeout(late);
        clearInterval(timer);
        drain();
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
      }
      return Buffer.concat(chunks);
    },
  };
}
