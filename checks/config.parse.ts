import path from 'node:path';
import { defineCheck, pass, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import type { CredentialFile } from '../src/config/credential-file.js';
import { parseConfigFile, type ParseProblem } from '../src/config/parse.js';
import { describeInputProblem } from '../src/files/input.js';

/** The config file as messages name it. */
interface Shown {
  shown: string;
}

/** Where in the file parsing stopped, when known. */
interface At extends Shown {
  line?: number;
  column?: number;
}

/** What a credential file given as the config is, in the words of its finding. */
interface Credential extends Shown {
  /** `PEM`, `DER`, `PEM, with a certificate`, `PEM, 2 certificates`. */
  format: string;
}

/** The config that names a credential file: what the hints of the credential findings say. */
const namedUnder = (what: string, field: string): string =>
  `Run golive on the YAML or JSON config that names this ${what}, under signing.${field} (or transport.${field} for mTLS); \`golive init\` writes a starter config.`;

const syntaxError = ({ shown, format, line, column, reason }: At & { format: string; reason: string }): string =>
  `${shown} is not valid ${format.toUpperCase()}${line !== undefined ? ` at line ${line}, column ${column}` : ''}: ${reason}.`.replace(/\.\.$/, '.');

function findings() {
  return {
    'not-found': {
      message: ({ shown }: Shown) => `The config file ${shown} does not exist.`,
      hint: () => 'Check the path, or create a starter config with `golive init`.',
    },
    'is-directory': {
      message: ({ shown }: Shown) => `${shown} is a folder, not a config file.`,
      hint: () => 'Name the YAML or JSON config file itself.',
    },
    unreadable: {
      message: ({ shown, code }: Shown & { code?: string }) => `The config file ${shown} cannot be read (${code ?? 'unknown error'}).`,
      hint: () => 'Check the file permissions for the user running golive.',
    },
    'not-a-file': {
      message: ({ shown, what }: Shown & { what: string }) => `${shown} ${what}; golive reads a config only from a regular file.`,
      hint: () => 'Name the YAML or JSON config file itself; to check generated text, write it to a file first.',
    },
    'too-large': {
      message: ({ shown, what }: Shown & { what: string }) => `${shown} ${what}; a golive config is a few kilobytes.`,
      hint: () => 'Name the YAML or JSON config file, not a log, bundle or binary.',
    },
    'too-deep': {
      message: ({ shown, limit, line, column }: At & { limit: number }) =>
        `${shown} is nested more than ${limit} levels deep${line !== undefined ? ` (at line ${line}, column ${column})` : ''}; a golive config nests about five, so it was not parsed.`,
      hint: () => 'Name the golive config file; a config is a flat YAML or JSON document with the sections shown by `golive init --stdout`.',
    },
    'private-key-file': {
      message: ({ shown, format }: Credential) => `${shown} is a private key (${format}), not a golive config.`,
      hint: () => namedUnder('key', 'privateKey'),
    },
    'certificate-file': {
      message: ({ shown, format }: Credential) => `${shown} is a certificate (${format}), not a golive config.`,
      hint: () => namedUnder('certificate', 'certificate'),
    },
    'pkcs12-file': {
      message: ({ shown }: Shown) => `${shown} is a PKCS#12 bundle (a private key with its certificates), not a golive config.`,
      hint: () => namedUnder('bundle', 'privateKey'),
    },
    'pem-file': {
      message: ({ shown, labels }: Shown & { labels: string }) => `${shown} is a PEM file (${labels}), not a golive config.`,
      hint: () => 'Run golive on the YAML or JSON config file; `golive init` writes a starter config.',
    },
    empty: {
      message: ({ shown }: Shown) => `The config file ${shown} is empty.`,
      hint: () => 'Create a starter config with `golive init`.',
    },
    binary: {
      message: ({ shown }: Shown) => `${shown} is a binary file, not YAML or JSON.`,
      hint: () => 'Name the YAML or JSON config file (a .p12 or DER file belongs under signing or transport).',
    },
    'invalid-yaml': {
      message: syntaxError,
      hint: () =>
        'Fix the syntax at that position: check indentation (spaces, not tabs) and quote values that contain ": " or start with special characters.',
    },
    'invalid-json': {
      message: syntaxError,
      hint: () => 'Fix the JSON at that position (a missing comma or quote, or a trailing comma), or write the config as YAML.',
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

function failure(problem: ParseProblem, shown: string, evidence: Evidence): CheckOutcome<never> {
  switch (problem.kind) {
    case 'not-found':
    case 'is-directory':
    case 'empty':
    case 'binary':
      return finding.fail(problem.kind, { shown }, evidence);
    case 'unreadable':
      return finding.fail('unreadable', { shown, code: problem.code }, evidence);
    case 'not-a-file':
    case 'too-large':
      return finding.fail(problem.kind, { shown, what: describeInputProblem(problem) }, evidence);
    case 'too-deep':
      return finding.fail('too-deep', { shown, limit: problem.limit, line: problem.line, column: problem.column }, evidence);
    case 'syntax':
      return finding.fail(problem.format === 'yaml' ? 'invalid-yaml' : 'invalid-json', { shown, ...problem }, evidence);
    case 'credential':
      return credentialFailure(problem.credential, shown, evidence);
  }
}

const CREDENTIAL_CODES = { 'private-key': 'private-key-file', certificate: 'certificate-file', pkcs12: 'pkcs12-file', pem: 'pem-file' } as const;

function count(n: number, noun: string): string {
  return n === 1 ? `a ${noun}` : `${n} ${noun}s`;
}

function credentialFailure(credential: CredentialFile, shown: string, evidence: Evidence): CheckOutcome<never> {
  const code = CREDENTIAL_CODES[credential.kind];
  const { encoding, certificates, labels } = credential;
  const facts: Evidence = { ...evidence, problem: code, encoding, ...(encoding === 'pem' && { pemLabels: labels, certificates }) };
  const base = encoding.toUpperCase();
  switch (code) {
    case 'private-key-file':
      return finding.fail(code, { shown, format: certificates > 0 ? `${base}, with ${count(certificates, 'certificate')}` : base }, facts);
    case 'certificate-file':
      return finding.fail(code, { shown, format: certificates > 1 ? `${base}, ${certificates} certificates` : base }, facts);
    case 'pkcs12-file':
      return finding.fail(code, { shown }, facts);
    case 'pem-file':
      return finding.fail(code, { shown, labels: labels.join(', ') }, facts);
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
      'A key, certificate or PKCS#12 file given as the config (`golive check signing.key`): the config is the YAML or JSON file that names it.',
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
    const evidence: Evidence = { problem: problem.kind };
    if ('code' in problem && problem.code) evidence.code = problem.code;
    if (problem.kind === 'not-a-file') evidence.fileKind = problem.fileKind;
    if (problem.kind === 'too-large') Object.assign(evidence, { bytes: problem.size, limitBytes: problem.limit });
    if (problem.kind === 'too-deep') evidence.nestingLimit = problem.limit;
    if ((problem.kind === 'syntax' || problem.kind === 'too-deep') && problem.line !== undefined) {
      evidence.location = { path: '', line: problem.line, column: problem.column };
    }
    return failure(problem, shown, evidence);
  },
});
