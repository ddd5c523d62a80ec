import { chmodSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe } from 'vitest';
import { anyText, unicodeText } from './support/arbitraries.js';
import { WRITER, writeArtifact } from './support/artifact-writer.js';
import { CANARY, findCanaries } from './support/canaries.js';
import { caseFolder, confined, fifoReader, fuzzRoot, identity, SPECIAL, walk } from './support/files.js';
import { errorSignature, fuzzTarget, type Problem } from './support/harness.js';

/**
 * The artifact writer (reports written by --json/--junit/--sarif/--markdown
 * and by init) on every kind of target: new files (and missing folders),
 * existing files of each mode, symbolic links (to files, dangling, chains,
 * loops, to folders), folders, a path under a file, a FIFO with a reader
 * (there from the start, or arriving late), a device, over-long and odd
 * names; with any content (empty, huge, lone surrogates, a canary), any
 * mode, and sometimes two writes to the same target at once.
 *
 * Properties (DESIGN.md: artifacts are "written through symlinks and
 * devices", whole or not at all): the call settles within the case bound
 * and rejects only with an error carrying an errno-style code; after a
 * success the target holds exactly the content, a link is still a link and
 * its file holds the content, a FIFO is still a FIFO and its reader got the
 * content, a device is still a device, a file asked for with a private mode
 * is not readable by others; after a failure an existing file is unchanged;
 * a folder is never replaced; no temporary file is left behind; an error
 * never quotes the content.
 */

const KINDS = [
  'new', 'new-deep', 'existing', 'private', 'readonly', 'link-to-existing', 'link-to-missing', 'link-to-missing-deep', 'link-chain', 'link-loop',
  'folder', 'folder-slash', 'new-slash', 'under-a-file', 'through-folder-link', 'fifo', 'fifo-late-reader', 'device', 'long-name', 'odd-name', 'temporary-lookalike',
] as const;
type Kind = (typeof KINDS)[number];

const PATHS: Record<Exclude<Kind, 'odd-name'>, string> = {
  new: 'new.json',
  'new-deep': 'a/b/c/new.json',
  existing: 'existing.json',
  private: 'private.json',
  readonly: 'readonly.json',
  'link-to-existing': 'link-existing',
  'link-to-missing': 'link-missing',
  'link-to-missing-deep': 'link-missing-deep',
  'link-chain': 'link-chain',
  'link-loop': 'link-loop',
  folder: 'folder',
  'folder-slash': 'folder/',
  'new-slash': 'new.json/',
  'under-a-file': 'existing.json/x.json',
  'through-folder-link': 'link-folder/new.json',
  fifo: SPECIAL.fifo,
  'fifo-late-reader': SPECIAL.fifo,
  device: SPECIAL.device,
  'long-name': `${'x'.repeat(300)}.json`,
  'temporary-lookalike': '.existing.json.000000000000.tmp',
};

/** Where the bytes of a successful write end up (through links). */
const LANDS_IN: Partial<Record<Kind, string>> = {
  'link-to-existing': 'existing.json',
  'link-to-missing': 'missing.json',
  'link-to-missing-deep': 'nowhere/missing.json',
  'link-chain': 'existing.json',
  'through-folder-link': 'folder/new.json',
};

const MUST_FAIL = new Set<Kind>(['folder', 'folder-slash', 'new-slash', 'under-a-file', 'link-loop', 'long-name']);
const EXISTING = new Set<Kind>(['existing', 'private', 'readonly', 'link-to-existing', 'link-chain']);
const LINKS = new Set<Kind>(['link-to-existing', 'link-to-missing', 'link-to-missing-deep', 'link-chain']);

interface WriterCase {
  kind: Kind;
  oddName: string;
  content: string;
  mode: number;
  /** A second write of other content to the same target, at the same time. */
  concurrent: string | undefined;
}

const content = fc.oneof(
  { weight: 4, arbitrary: anyText.map((text) => `{"report": ${JSON.stringify(text)}, "secret": "${CANARY.inlineSecret}"}`) },
  { weight: 2, arbitrary: unicodeText },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom(1_000_000, 4_000_000).map((size) => `${CANARY.inlineSecret}${'r'.repeat(size)}`) },
);

const writerCase: fc.Arbitrary<WriterCase> = fc.record({
  kind: fc.constantFrom(...KINDS),
  oddName: unicodeText.map(confined).map((name) => (name === '' || name === '.' || name === '..' ? 'odd' : name)),
  content,
  mode: fc.oneof(fc.constantFrom(0o644, 0o600, 0o640, 0o400), fc.integer({ min: 0, max: 0o777 })),
  concurrent: fc.option(fc.string({ maxLength: 20 }), { freq: 6, nil: undefined }),
});

describe('the artifact writer', () => {
  let root: string;
  let template: string;

  beforeAll(() => {
    root = fuzzRoot('writer');
    template = path.join(root, 'template');
    mkdirSync(path.join(template, 'folder'), { recursive: true });
    writeFileSync(path.join(template, 'existing.json'), 'OLD existing\n', { mode: 0o644 });
    writeFileSync(path.join(template, 'private.json'), 'OLD private\n', { mode: 0o600 });
    writeFileSync(path.join(template, 'readonly.json'), 'OLD readonly\n');
    chmodSync(path.join(template, 'readonly.json'), 0o444);
    symlinkSync('existing.json', path.join(template, 'link-existing'));
    symlinkSync('missing.json', path.join(template, 'link-missing'));
    symlinkSync('nowhere/missing.json', path.join(template, 'link-missing-deep'));
    symlinkSync('link-existing', path.join(template, 'link-chain'));
    symlinkSync('link-loop', path.join(template, 'link-loop'));
    symlinkSync('folder', path.join(template, 'link-folder'));
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  fuzzTarget<WriterCase>({
    name: 'artifact-writer',
    subject: WRITER,
    runs: 1000,
    slowMs: 3000,
    arbitrary: writerCase,
    hangContext: (input) => input.kind,
    async run(input, scope) {
      const isFifo = input.kind === 'fifo' || input.kind === 'fifo-late-reader';
      const folder = caseFolder(root, template, { fifo: isFifo, device: input.kind === 'device' });
      scope.defer(() => folder.dispose());
      const relative = input.kind === 'odd-name' ? input.oddName : PATHS[input.kind];
      const file = path.join(folder.dir, relative) + (relative.endsWith('/') ? '/' : '');
      const before = new Map(walk(folder.dir).map((entry) => [entry.name, identity(entry.path, false)]));
      const landing = path.join(folder.dir, LANDS_IN[input.kind] ?? relative);
      const landingBefore = identity(landing);
      const reader = isFifo ? fifoReader(file, input.kind === 'fifo-late-reader' ? 300 : 0) : undefined;
      scope.defer(() => reader?.stop());

      const writes = [writeArtifact(file, input.content, input.mode)];
      if (input.concurrent !== undefined && !isFifo) writes.push(writeArtifact(file, input.concurrent, input.mode));
      const settled = await Promise.allSettled(writes);
      const received = reader?.stop();

      const problems: Problem[] = [];
      const failures = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
      for (const error of failures) {
        const code = (error as { code?: unknown } | undefined)?.code;
        if (!(error instanceof Error) || typeof code !== 'string') problems.push({ signature: `rejected without an errno-style code: ${errorSignature(error)}` });
        const text = error instanceof Error ? `${error.message} ${(error as { detail?: unknown }).detail ?? ''}` : String(error);
        for (const hit of findCanaries(text)) problems.push({ signature: `canary ${hit.canary} in the error`, detail: hit.context });
      }
      const succeeded = failures.length < settled.length;
      if (succeeded && MUST_FAIL.has(input.kind)) problems.push({ signature: `a write to a ${input.kind} target succeeded` });

      const after = walk(folder.dir);
      // Names as the file system holds them: a lone surrogate in a name is written as U+FFFD.
      const written = new Set([landing, path.resolve(file)].map((name) => Buffer.from(name).toString()));
      const leftovers = after.filter((entry) => entry.stats.isFile() && !before.has(entry.name) && !written.has(entry.path));
      if (leftovers.length > 0) problems.push({ signature: `files left behind (${succeeded ? 'after a success' : 'after a failure'})`, detail: leftovers.map((entry) => entry.name).join(', ') });

      const wanted = [Buffer.from(input.content, 'utf8'), ...(input.concurrent !== undefined && !isFifo ? [Buffer.from(input.concurrent, 'utf8')] : [])];
      if (succeeded && !MUST_FAIL.has(input.kind)) {
        if (isFifo) {
          const info = lstatSync(file, { throwIfNoEntry: false });
          if (!info?.isFIFO()) problems.push({ signature: `a FIFO was replaced by a ${info?.isFile() ? 'regular file' : 'something else'} (not written in place)` });
          else if (!received?.equals(wanted[0]!)) problems.push({ signature: 'the FIFO reader did not get the content', detail: `${received?.length ?? 0} of ${wanted[0]!.length} bytes` });
        } else if (input.kind === 'device') {
          if (!lstatSync(file, { throwIfNoEntry: false })?.isCharacterDevice()) problems.push({ signature: 'a device was replaced by a regular file (not written in place)' });
        } else {
          if (LINKS.has(input.kind) && !lstatSync(path.join(folder.dir, relative), { throwIfNoEntry: false })?.isSymbolicLink()) {
            problems.push({ signature: `a symbolic link was replaced by a file (not written through) [${input.kind}]` });
          }
          let bytes: Buffer | undefined;
          try {
            bytes = readFileSync(file);
          } catch (error) {
            problems.push({ signature: `the target cannot be read back after a success: ${errorSignature(error)}` });
          }
          if (bytes && !wanted.some((content) => content.equals(bytes))) problems.push({ signature: 'the target does not hold the content written (torn or mixed)', detail: `${bytes.length} bytes, wanted ${wanted.map((content) => content.length).join(' or ')}` });
          if (LINKS.has(input.kind)) {
            const through = (() => {
              try {
                return readFileSync(landing);
              } catch {
                return undefined;
              }
            })();
            if (!through || !wanted.some((content) => content.equals(through))) problems.push({ signature: `the file behind the link does not hold the content [${input.kind}]` });
          }
          const mode = statSync(file, { throwIfNoEntry: false })?.mode;
          if (mode !== undefined && (input.mode & 0o077) === 0 && (mode & 0o077) !== 0) {
            problems.push({ signature: `a file asked for with a private mode is readable by others [${EXISTING.has(input.kind) ? 'existing' : 'new'}]`, detail: `asked ${input.mode.toString(8)}, got ${(mode & 0o777).toString(8)}` });
          }
        }
      }
      if (!succeeded && EXISTING.has(input.kind) && identity(landing) !== landingBefore) {
        problems.push({ signature: `a failed write changed the existing file [${input.kind}]` });
      }
      return problems;
    },
  });
});
