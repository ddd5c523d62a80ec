import { access } from 'node:fs/promises';
import path from 'node:path';
import { describeInputProblem, InputFileError, readInputFile } from '../../files/input.js';
import type { PostmanOverrides } from '../../init/postman.js';
import { starterConfig } from '../../init/template.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic, type Io } from '../io.js';
import { printable } from '../../text/printable.js';
import type { InitArgs } from '../spec.js';

/** A Postman environment is a few kilobytes; anything far larger is the wrong file. */
const MAX_POSTMAN_BYTES = 5 * 1024 * 1024;

async function readPostmanExport(source: string, io: Io): Promise<string> {
  try {
    return (await readInputFile(path.resolve(io.cwd, source), { role: 'the Postman export', limit: MAX_POSTMAN_BYTES })).toString('utf8');
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    const { problem } = error;
    if ('code' in problem) throw new UsageError(`--from-postman ${source} cannot be read (${problem.code})`, 'init');
    const fix = problem.kind === 'not-a-file' ? 'name the exported environment (.json)' : 'not a Postman environment export';
    throw new UsageError(`--from-postman ${source} ${describeInputProblem(problem)}; ${fix}`, 'init');
  }
}

async function importFromPostman(source: string, shown: string, overrides: PostmanOverrides, force: boolean, io: Io): Promise<number> {
  const [{ importPostman, parsePostmanJson, writePostmanImport, describePostmanImport, PostmanFormatError }, { Redactor }] = await Promise.all([
    import('../../init/postman.js'),
    import('../../redact.js'),
  ]);
  const text = await readPostmanExport(source, io);
  let imported;
  try {
    imported = importPostman(parsePostmanJson(text), overrides);
  } catch (error) {
    if (error instanceof PostmanFormatError) throw new UsageError(`--from-postman ${source} ${error.message}`, 'init');
    throw error;
  }
  const redactor = new Redactor(imported.secrets);
  let result;
  try {
    result = await writePostmanImport(imported, path.resolve(io.cwd, shown), { force, write: writeFileAtomic });
  } catch (error) {
    throw new UsageError(`${shown} or its key files cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'}); name a file in a writable folder`, 'init');
  }
  if (result.written.length === 0) {
    const names = result.existing.map((file) => path.relative(io.cwd, file) || file);
    io.stderr.write(
      redactor.text(`${names.join(', ')} already ${names.length === 1 ? 'exists' : 'exist'}; nothing written. Use --force to overwrite, or name another config file.\n`),
    );
    return 1;
  }
  // Variable and environment names come from the export: no escape sequence of theirs reaches the terminal.
  io.stdout.write(printable(redactor.text(describePostmanImport(imported, source, shown))));
  return 0;
}

export async function initCommand(args: InitArgs, io: Io): Promise<number> {
  const postman = args['from-postman'];
  if (postman !== undefined) {
    const overrides: PostmanOverrides = {
      authMethod: args['auth-method'],
      connectivity: args.connectivity,
      environment: args.environment,
    };
    return importFromPostman(postman, args.file ?? 'golive.yaml', overrides, args.force ?? false, io);
  }
  const text = starterConfig({
    authMethod: args['auth-method'] ?? 'private_key_jwt',
    connectivity: args.connectivity ?? 'tls',
    environment: args.environment ?? 'uat',
  });
  if (args.stdout) {
    io.stdout.write(text);
    return 0;
  }
  const shown = args.file ?? 'golive.yaml';
  const file = path.resolve(io.cwd, shown);
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (exists && !args.force) {
    io.stderr.write(`${shown} already exists; nothing written. Use --force to overwrite it, or name another file.\n`);
    return 1;
  }
  try {
    await writeFileAtomic(file, text);
  } catch (error) {
    throw new UsageError(`${shown} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'}); name a file in a writable folder`, 'init');
  }
  io.stdout.write(
    `${exists ? 'Overwrote' : 'Wrote'} ${shown}. Next: fill in the paths, export the variables it names, then run: golive check ${shown}\n`,
  );
  return 0;
}
