import { spawn, execFileSync } from 'node:child_process';
import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makeFolder, WriteError } from '../../src/files/output.js';
import { resolveWriteTarget, writeFileAtomic, writeToTarget } from '../../src/cli/io.js';
import { tempDir } from '../support/config-files.js';

// Reports are written whole (temporary file and rename) over regular files
// only: links are written through, FIFOs, devices and descriptors in place,
// modes kept, folders refused, and no folder creation can hang.

const dir = tempDir('golive-io-');
let counter = 0;
function folder(): string {
  const made = path.join(dir, `case-${++counter}`);
  mkdirSync(made);
  return made;
}

async function refusal(promise: Promise<unknown>): Promise<WriteError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WriteError);
  return error as WriteError;
}

describe('writeFileAtomic', () => {
  it('writes through a symbolic link to its target, which stays a link', async () => {
    const at = folder();
    mkdirSync(path.join(at, 'out'));
    writeFileSync(path.join(at, 'out/real.json'), 'old');
    symlinkSync('out/real.json', path.join(at, 'report.json'));
    await writeFileAtomic(path.join(at, 'report.json'), 'new');
    expect(lstatSync(path.join(at, 'report.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(at, 'report.json'))).toBe('out/real.json');
    expect(readFileSync(path.join(at, 'out/real.json'), 'utf8')).toBe('new');
  });

  it('creates the missing target of a dangling link, in the target\'s folder', async () => {
    const at = folder();
    symlinkSync('elsewhere/new.json', path.join(at, 'report.json'));
    await writeFileAtomic(path.join(at, 'report.json'), 'new');
    expect(lstatSync(path.join(at, 'report.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(at, 'elsewhere/new.json'), 'utf8')).toBe('new');
  });

  it.each([0o600, 0o640, 0o664])('keeps the mode %s of the file it replaces', async (mode) => {
    const file = path.join(folder(), 'report.json');
    writeFileSync(file, 'old');
    chmodSync(file, mode);
    await writeFileAtomic(file, 'new');
    expect(statSync(file).mode & 0o777).toBe(mode);
    expect(readFileSync(file, 'utf8')).toBe('new');
  });

  it('never leaves a file meant to be private (0600) readable by others, even over a 0644 one', async () => {
    const file = path.join(folder(), 'signing.key');
    writeFileSync(file, 'old');
    chmodSync(file, 0o644);
    await writeFileAtomic(file, 'key', 0o600);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['a path ending in "/"', 'sub/', /ends in "\/"/],
    ['an existing folder', 'existing', /it is a folder/],
  ])('refuses %s (EISDIR) and creates nothing', async (_name, name, detail) => {
    const at = folder();
    mkdirSync(path.join(at, 'existing'));
    const error = await refusal(writeFileAtomic(path.join(at, name) + (name.endsWith('/') ? '/' : ''), 'x'));
    expect(error.code).toBe('EISDIR');
    expect(error.detail).toMatch(detail);
    expect(existsSync(path.join(at, 'sub'))).toBe(false);
    expect(statSync(path.join(at, 'existing')).isDirectory()).toBe(true);
  });

  it('writes into a FIFO in place when a process reads it; the FIFO stays a FIFO', async () => {
    const fifo = path.join(folder(), 'report.json');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    const read = new Promise<string>((resolve) => {
      let text = '';
      reader.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      reader.on('close', () => resolve(text));
    });
    await writeFileAtomic(fifo, '{"report": true}');
    // Had the write gone elsewhere, cat would wait for a writer forever.
    const timer = setTimeout(() => reader.kill(), 5000);
    expect(await read.finally(() => clearTimeout(timer))).toBe('{"report": true}');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('gives up on a FIFO nobody reads instead of hanging', async () => {
    const fifo = path.join(folder(), 'report.json');
    execFileSync('mkfifo', [fifo]);
    const error = await refusal(writeToTarget(await resolveWriteTarget(fifo, dir), 'x', { fifoWaitMs: 200 }));
    expect(error.code).toBe('ENXIO');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('writes to a device through a link to it, leaving the link and the device alone', async () => {
    const link = path.join(folder(), 'report.json');
    symlinkSync('/dev/null', link);
    expect(await resolveWriteTarget(link, dir)).toMatchObject({ kind: 'in-place' });
    await writeFileAtomic(link, 'x');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('writes to /dev/fd/N on that open descriptor, and never creates a file for it', async () => {
    const file = path.join(folder(), 'captured.txt');
    const fd = openSync(file, 'w');
    try {
      const target = await resolveWriteTarget(`/dev/fd/${fd}`, dir);
      expect(target).toMatchObject({ kind: 'descriptor', fd });
      await writeToTarget(target, 'first ');
      await writeToTarget(await resolveWriteTarget(`/proc/self/fd/${fd}`, dir), 'second');
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(file, 'utf8')).toBe('first second');
  });

  it('names /dev/stdout as descriptor 1, also behind a link, and writes it through the stream given for it', async () => {
    const link = path.join(folder(), 'report.json');
    symlinkSync('/dev/stdout', link);
    const written: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString());
        done();
      },
    });
    for (const name of ['/dev/stdout', link]) {
      const target = await resolveWriteTarget(name, dir);
      expect(target).toMatchObject({ kind: 'descriptor', fd: 1 });
      await writeToTarget(target, `via ${path.basename(name)}`, { streams: { 1: stream } });
    }
    expect(written).toEqual(['via stdout', 'via report.json']);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});

describe('makeFolder', () => {
  it('fails at once with the folder it cannot create under /proc, where a recursive mkdir never settles', async () => {
    const started = performance.now();
    const error = await refusal(makeFolder('/proc/nope/deeper'));
    expect(error.code).toBe('ENOENT');
    expect(error.detail).toBe('the folder /proc/nope cannot be created');
    expect(performance.now() - started).toBeLessThan(5000);
  }, 10_000);

  it('refuses a file in the way, and creates the missing folders of a path', async () => {
    const at = folder();
    writeFileSync(path.join(at, 'file'), '');
    expect((await refusal(makeFolder(path.join(at, 'file/below')))).code).toBe('ENOTDIR');
    await makeFolder(path.join(at, 'a/b/c'));
    expect(statSync(path.join(at, 'a/b/c')).isDirectory()).toBe(true);
  });
});
