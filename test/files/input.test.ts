import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputFileError, InputLedger, noteInputFile, readInputFile } from '../../src/files/input.js';
import { tempDir } from '../support/config-files.js';

// Every input file goes through readInputFile: only regular files, only up
// to a limit, and each recorded for the run, so no report is written over it.

const dir = tempDir('golive-input-');
const LIMIT = 1024;

function problemOf(promise: Promise<unknown>): Promise<InputFileError> {
  return promise.then(
    () => {
      throw new Error('expected the read to be refused');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(InputFileError);
      return error as InputFileError;
    },
  );
}

describe('readInputFile', () => {
  it('refuses a FIFO at once instead of waiting for a writer that never comes', async () => {
    const fifo = path.join(dir, 'config.fifo');
    execFileSync('mkfifo', [fifo]);
    const error = await problemOf(readInputFile(fifo, { role: 'the config', limit: LIMIT }));
    expect(error.problem).toEqual({ kind: 'not-a-file', fileKind: 'FIFO (named pipe)' });
    expect(error.message).toBe(`${fifo} is a FIFO (named pipe), not a regular file`);
  });

  it('refuses a character device such as /dev/zero instead of reading it without end', async () => {
    const error = await problemOf(readInputFile('/dev/zero', { role: 'the config', limit: LIMIT }));
    expect(error.problem).toEqual({ kind: 'not-a-file', fileKind: 'character device' });
  });

  it('refuses a folder', async () => {
    const folder = path.join(dir, 'folder.yaml');
    mkdirSync(folder);
    expect((await problemOf(readInputFile(folder, { role: 'the config', limit: LIMIT }))).problem).toEqual({ kind: 'not-a-file', fileKind: 'folder' });
  });

  it('reads a file of exactly the limit, and refuses one byte more naming the size and the limit', async () => {
    const fits = path.join(dir, 'fits.yaml');
    writeFileSync(fits, 'a'.repeat(LIMIT));
    expect((await readInputFile(fits, { role: 'the config', limit: LIMIT })).length).toBe(LIMIT);
    const over = path.join(dir, 'over.yaml');
    writeFileSync(over, 'a'.repeat(LIMIT + 1));
    const error = await problemOf(readInputFile(over, { role: 'the config', limit: LIMIT }));
    expect(error.problem).toEqual({ kind: 'too-large', size: LIMIT + 1, limit: LIMIT });
    expect(error.message).toMatch(/is 1\.0 KiB \(1025 bytes\), over golive's limit of 1 KiB/);
  });

  it('stops at the limit when the size on disk says nothing (files under /proc report 0 bytes)', async () => {
    const error = await problemOf(readInputFile('/proc/self/maps', { role: 'the config', limit: 16 }));
    expect(error.problem).toMatchObject({ kind: 'too-large', limit: 16 });
  });

  it('says a missing file is missing, with its errno code', async () => {
    const error = await problemOf(readInputFile(path.join(dir, 'nope.yaml'), { role: 'the config', limit: LIMIT }));
    expect(error.problem).toEqual({ kind: 'missing', code: 'ENOENT' });
    expect(error.code).toBe('ENOENT');
  });
});

describe('InputLedger', () => {
  it('records what a run reads, found again by another spelling: a hard link, a symbolic link', async () => {
    const file = path.join(dir, 'signing.key');
    writeFileSync(file, 'key');
    const hard = path.join(dir, 'hard.key');
    linkSync(file, hard);
    const soft = path.join(dir, 'soft.key');
    symlinkSync('signing.key', soft);
    const ledger = new InputLedger();
    await ledger.track(() => readInputFile(file, { role: 'signing.privateKey', limit: LIMIT }));
    const hardInfo = statSync(hard);
    expect(ledger.find({ dev: hardInfo.dev, ino: hardInfo.ino })).toMatchObject({ role: 'signing.privateKey', file });
    expect(ledger.find({ realPath: realpathSync(soft) })).toMatchObject({ role: 'signing.privateKey' });
    expect(ledger.find({ realPath: path.join(dir, 'other.key') })).toBeUndefined();
  });

  it('takes a reused inode number for another file: the same device and inode match only with the same birth time', async () => {
    const file = path.join(dir, 'replaced.pem');
    writeFileSync(file, 'cert');
    const ledger = new InputLedger();
    await ledger.track(() => readInputFile(file, { role: 'signing.certificate', limit: LIMIT }));
    const [record] = ledger.records;
    expect(record?.born).toBeTypeOf('number');
    // A file replaced by rename frees its inode; a report written next may be given the same number.
    const elsewhere = { dev: record!.dev, ino: record!.ino, realPath: path.join(dir, 'report.json') };
    // (ext4, xfs, btrfs and tmpfs keep birth times; on a filesystem that keeps none, born is 0 and the inode decides.)
    if (record!.born) expect(ledger.find({ ...elsewhere, born: record!.born + 1 })).toBeUndefined();
    expect(ledger.find({ ...elsewhere, born: record!.born })).toMatchObject({ file });
    // A filesystem without birth times (0) leaves the inode to decide, as before.
    expect(ledger.find({ ...elsewhere, born: 0 })).toMatchObject({ file });
  });

  it('records nothing outside track(), and notes a file named without reading it', async () => {
    const file = path.join(dir, 'noted.pem');
    writeFileSync(file, 'cert');
    const ledger = new InputLedger();
    await readInputFile(file, { role: 'signing.certificate', limit: LIMIT });
    await noteInputFile(file, 'signing.certificate');
    expect(ledger.records).toEqual([]);
    await ledger.track(() => noteInputFile(file, 'signing.certificate'));
    expect(ledger.records).toEqual([expect.objectContaining({ file, role: 'signing.certificate' })]);
  });

  it('keeps recording until the outermost track() settles, and stops after it', async () => {
    const first = path.join(dir, 'first.pem');
    const second = path.join(dir, 'second.pem');
    const late = path.join(dir, 'late.pem');
    for (const file of [first, second, late]) writeFileSync(file, 'cert');
    const ledger = new InputLedger();
    await ledger.track(async () => {
      await ledger.track(() => readInputFile(first, { role: 'http.ca', limit: LIMIT }));
      await readInputFile(second, { role: 'http.ca', limit: LIMIT });
    });
    await readInputFile(late, { role: 'http.ca', limit: LIMIT });
    expect(ledger.records.map((record) => record.file)).toEqual([first, second]);
  });
});
