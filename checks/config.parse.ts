import path from 'node:path';
import { defineCheck, fail, pass } from '../src/pipeline/check.js';
import { parseConfigFile, type ParseProblem } from '../src/config/parse.js';
import { describeInputProblem } from '../src/files/input.js';

function describe(problem: ParseProblem, shown: string): { message: string; hint: string } {
  switch (problem.kind) {
    case 'not-found':
      return {
        message: `The config file ${shown} does not exist.`,
        hint: 'Check the path, or create a starter config with `golive init`.',
      };
    case 'is-directory':
      return { message: `${shown} is a folder, not a config file.`, hint: 'Name the YAML or JSON config file itself.' };
    case 'unreadable':
      return {
        message: `The config file ${shown} cannot be read (${problem.code ?? 'unknown error'}).`,
        hint: 'Check the file permissions for the user running golive.',
      };
    case 'not-a-file':
      return {
        message: `${shown} ${describeInputProblem(problem)}; golive reads a config only from a regular file.`,
        hint: 'Name the YAML or JSON config file itself; to check generated text, write it to a file first.',
      };
    case 'too-large':
      return {
        message: `${shown} ${describeInputProblem(problem)}; a golive config is a few kilobytes.`,
        hint: 'Name the YAML or JSON config file, not a log, bundle or binary.',
      };
    case 'too-deep': {
      const at = problem.line !== undefined ? ` (at line ${problem.line}, column ${problem.column})` : '';
      return {
        message: `${shown} is nested more than ${problem.limit} levels deep${at}; a golive config nests about five, so it was not parsed.`,
        hint: 'Name the golive config file; a config is a flat YAML or JSON document with the sections shown by `golive init --stdout`.',
      };
    }
    case 'empty':
      return { message: `The config file ${shown} is empty.`, hint: 'Create a starter config with `golive init`.' };
    case 'binary':
      return {
        message: `${shown} is a binary file, not YAML or JSON.`,
        hint: 'Name the YAML or JSON config file (a .p12 or DER file belongs under signing or transport).',
      };
    case 'syntax': {
      const at = problem.line !== undefined ? ` at line ${problem.line}, column ${problem.column}` : '';
      return {
        message: `${shown} is not valid ${problem.format.toUpperCase()}${at}: ${problem.reason}.`.replace(/\.\.$/, '.'),
        hint:
          problem.format === 'yaml'
            ? 'Fix the syntax at that position: check indentation (spaces, not tabs) and quote values that contain ": " or start with special characters.'
            : 'Fix the JSON at that position (a missing comma or quote, or a trailing comma), or write the config as YAML.',
      };
    }
  }
}

export default defineCheck({
  id: 'config.parse',
  title: 'Config file parses',
  needs: [],
  explain: {
    verifies:
      'The config file (default ./golive.yaml) exists, is readable, and is valid YAML or JSON. A syntax error is reported with its line and column.',
    causes: [
      'The path is wrong, or no path was given and ./golive.yaml does not exist in the current folder.',
      'YAML indented with tabs, or with inconsistent spaces under a section.',
      'An unquoted value that YAML reads as syntax: one holding ": " or " #", or starting with *, &, !, @ or a backtick.',
      'JSON with a trailing comma or a comment.',
      'A Postman environment export given as the config.',
      'The file was saved as UTF-16 by an editor on Windows.',
    ],
    fixes: [
      'Open the file at the reported line and column; the error is there or on the line above.',
      'Indent with spaces only and quote every string value that holds ": ", " #" or `${VAR}`.',
      'Start from a known-good file: `golive init golive.yaml`, or `golive init --from-postman ENV.json` to convert a Postman environment.',
      'Save the file as UTF-8.',
    ],
    seeAlso: ['config.schema'],
  },
  async run(ctx) {
    const result = await parseConfigFile(ctx.configPath);
    if (result.ok) {
      return pass(result.config, { format: result.config.format, sha256: result.config.sha256 });
    }
    const { problem } = result;
    const shown = path.basename(ctx.configPath);
    const evidence: Record<string, unknown> = { problem: problem.kind };
    if ('code' in problem && problem.code) evidence.code = problem.code;
    if (problem.kind === 'not-a-file') evidence.fileKind = problem.fileKind;
    if (problem.kind === 'too-large') Object.assign(evidence, { bytes: problem.size, limitBytes: problem.limit });
    if (problem.kind === 'too-deep') evidence.nestingLimit = problem.limit;
    if ((problem.kind === 'syntax' || problem.kind === 'too-deep') && problem.line !== undefined) {
      evidence.location = { path: '', line: problem.line, column: problem.column };
    }
    return fail({ ...describe(problem, shown), evidence });
  },
});
