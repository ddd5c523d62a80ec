import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { defineCheck, pass } from '../src/pipeline/check.js';
import { findingsOf, type FindingTable, type FindingText } from '../src/pipeline/findings.js';
import { interpolate } from '../src/config/interpolate.js';
import { formatPath } from '../src/config/parse.js';
import { resolveConfig } from '../src/config/resolve.js';
import { quoteLiteral } from '../src/curl/shell.js';
import { noteInputFile } from '../src/files/input.js';
import type { ParsedConfig, ResolvedConfig } from '../src/config/types.js';
import configSchema from './config.schema.js';

interface FileReference {
  field: string;
  file: string;
  privateKey: boolean;
}

function fileReferences(config: ResolvedConfig): FileReference[] {
  const references: FileReference[] = [];
  for (const role of ['signing', 'transport'] as const) {
    const section = config[role];
    if (!section) continue;
    if (section.certificate) references.push({ field: `${role}.certificate`, file: section.certificate, privateKey: false });
    references.push({ field: `${role}.privateKey`, file: section.privateKey, privateKey: true });
  }
  if (config.http.ca) references.push({ field: 'http.ca', file: config.http.ca, privateKey: false });
  return references;
}

/** A PEM block, a JWK, or a long run of base64 with no file extension: content, not a path. */
function looksLikeContent(value: string): boolean {
  return (
    /-----BEGIN|PRIVATE KEY|\n|"kty"/.test(value) ||
    value.trimStart().startsWith('{') ||
    (value.length >= 100 && !value.includes('.') && /^[A-Za-z0-9+/=\s\\]+$/.test(value))
  );
}

/** Credentials written into an endpoint URL (config.consistency fails them; no output may show them). */
function urlCredentials(endpoints: Record<string, string>): string[] {
  return Object.values(endpoints).flatMap((value) => {
    try {
      const { username, password } = new URL(value);
      return [username, password].filter(Boolean).flatMap((part) => [part, decodeURIComponent(part)]);
    } catch {
      // Not a URL: config.consistency says so.
      return [];
    }
  });
}

function pastedKeyMaterial(data: unknown): { field: string; value: string }[] {
  const sections = (data ?? {}) as Record<string, Record<string, unknown> | undefined>;
  return (['signing', 'transport'] as const).flatMap((role) =>
    (['privateKey', 'certificate'] as const).flatMap((name) => {
      const value = sections[role]?.[name];
      return typeof value === 'string' && looksLikeContent(value) ? [{ field: `${role}.${name}`, value }] : [];
    }),
  );
}

/** A path the user can type where golive runs: relative below the current folder, else absolute. */
function fromCurrentFolder(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.split(path.sep)[0] === '..' || path.isAbsolute(relative) ? file : relative;
}

type FileProblemCode = 'file-not-found' | 'not-a-file' | 'file-unreadable';

/** A referenced file that cannot be used; `code` is the system error (ENOENT, EACCES). */
type FileProblem = { kind: FileProblemCode; field: string; file: string; code?: string };

async function inspect(reference: FileReference): Promise<{ problem?: FileProblem; mode?: number }> {
  const { field, file } = reference;
  try {
    const info = await stat(file);
    if (!info.isFile()) return { problem: { kind: 'not-a-file', field, file } };
    await access(file, constants.R_OK);
    // Named by the config: no report may replace it, even when --only or a failure keeps it unread.
    await noteInputFile(file, field, info);
    return { mode: info.mode & 0o777 };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: { kind: code === 'ENOENT' ? 'file-not-found' : 'file-unreadable', field, file, code } };
  }
}

/** The files that cannot be used, each named relative to the config's folder (`dir`). */
interface Files {
  dir: string;
  problems: readonly FileProblem[];
}

const wrongWith = ({ kind, code }: FileProblem): string =>
  kind === 'file-not-found' ? 'does not exist' : kind === 'not-a-file' ? 'is not a file' : `cannot be read (${code})`;

/** One text lists every file that cannot be used; the result's code is the first one's. */
const unusableFiles: FindingText<Files> = {
  message: ({ problems }) => problems.map((problem) => `${problem.field} (${problem.file}) ${wrongWith(problem)}`).join('; ') + '.',
  hint: ({ dir, problems }) =>
    `Relative paths resolve against the config's folder (${dir}); fix the path${problems.length > 1 ? 's' : ''} or the file permissions.`,
};

function findings() {
  return {
    'variable-not-set': {
      message: ({ names, places }: { names: readonly string[]; places: readonly string[] }) =>
        `${names.length === 1 ? 'Variable' : 'Variables'} ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not set (${places.join('; ')}).`,
      hint: ({ names }: { names: readonly string[] }) =>
        `Export ${names.join(', ')} in the environment, or put ${names.length === 1 ? 'it' : 'them'} in a file passed with --env-file.`,
    },
    'region-out-of-range': {
      message: ({ region }: { region: string }) => `region resolves to "${region}"; it must be 0 (Default), 1 (EMEA) or 2 (APAC).`,
      hint: () => 'Set region (or the variable it names) to 0, 1 or 2.',
    },
    'key-material-in-config': {
      message: ({ fields }: { fields: readonly string[] }) =>
        `${fields.join(' and ')} ${fields.length > 1 ? 'hold' : 'holds'} what looks like private key or certificate content, not a file path (value not shown).`,
      hint: () =>
        "Save the key or certificate in a file (PEM), chmod 600 a key file, and set the field to that file's path; never paste key material into the config.",
    },
    'file-not-found': unusableFiles,
    'not-a-file': unusableFiles,
    'file-unreadable': unusableFiles,
    'key-readable-by-others': {
      message: ({ exposed }: { exposed: readonly { field: string; file: string; mode: number }[] }) =>
        `Private key file${exposed.length > 1 ? 's are' : ' is'} readable by group or others: ${exposed.map(({ field, file, mode }) => `${field} (${file}, mode ${mode.toString(8).padStart(4, '0')})`).join('; ')}.`,
      hint: ({ exposed }: { exposed: readonly { fromCwd: string }[] }) =>
        `Restrict ${exposed.length > 1 ? 'them' : 'it'} to the owner: chmod 600 ${exposed.map(({ fromCwd }) => quoteLiteral(fromCwd)).join(' ')}`,
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

function locationOf(parsed: ParsedConfig, field: string): Record<string, unknown> | undefined {
  const where = parsed.locate(field.split('.'));
  return where && { path: field, line: where.line, column: where.column };
}

export default defineCheck({
  id: 'config.references',
  title: 'Variables and files resolve',
  needs: [configSchema],
  explain: {
    verifies:
      'Every `${VAR}` in the config is set in the environment or the `--env-file` (the message names a missing variable, never a value); every referenced file (certificates, keys, `http.ca`) exists and is readable, resolved relative to the config file\'s folder; a private key file readable by group or others is a warning.',
    causes: [
      'The variable is exported in another shell, or missing from the CI job\'s secrets (pull-request builds from forks usually get none).',
      'The `.env` file exists but was not passed with `--env-file`.',
      'A variable name differs by one character from the one in the config.',
      'A relative path was written relative to the current folder rather than to the config file\'s folder.',
      'Key and certificate files are git-ignored (rightly) and were never copied to this machine or CI runner.',
      'The key file mode is 0644 after a copy, unzip or checkout.',
    ],
    fixes: [
      'Set the variables before running: `export THREDD_CLIENT_ID=...`, or `golive check --env-file .env prod.yaml`.',
      'In CI, add the variables as masked secrets of the job that runs golive.',
      'Write paths relative to the config file, or as absolute paths; check with `ls -l` from the config file\'s folder.',
      'Restrict private keys to their owner: `chmod 600 certs/*.key`.',
    ],
    seeAlso: ['config.schema', 'config.consistency'],
  },
  async run(ctx, deps) {
    const parsed = deps['config.schema'];
    const { data, missing, secretValues, used } = interpolate(parsed.data, ctx.env);
    const secrets = [...secretValues];

    if (missing.length > 0) {
      const names = [...new Set(missing.map(({ name }) => name))];
      const places = missing.map(({ name, path: at }) => `\${${name}} in ${formatPath(at)}`);
      const evidence = { missingVariables: names, location: locationOf(parsed, formatPath(missing[0]!.path)) };
      return { ...finding.fail('variable-not-set', { names, places }, evidence), secrets };
    }

    const resolved = resolveConfig(data, parsed);
    if ('badRegion' in resolved) {
      return { ...finding.fail('region-out-of-range', { region: resolved.badRegion }, { location: locationOf(parsed, 'region') }), secrets };
    }
    for (const value of [resolved.client.secret, resolved.signing?.passphrase, resolved.transport?.passphrase]) {
      if (value) secrets.push(value);
    }
    secrets.push(...urlCredentials({ ...resolved.endpoints }));

    // Key material pasted where a file path belongs must not be echoed back as a "path".
    const pasted = pastedKeyMaterial(data);
    if (pasted.length > 0) {
      const fields = pasted.map(({ field }) => field);
      return {
        ...finding.fail('key-material-in-config', { fields }, { fields, location: locationOf(parsed, pasted[0]!.field) }),
        secrets: [...secrets, ...pasted.map(({ value }) => value)],
      };
    }

    const references = fileReferences(resolved);
    const inspected = await Promise.all(references.map(inspect));
    const problems = inspected.flatMap(({ problem }) => (problem ? [problem] : []));
    const shown = (file: string): string => path.relative(parsed.dir, file) || file;
    const [first] = problems;
    if (first !== undefined) {
      const evidence = {
        files: problems.map(({ field, file, code }) => ({ field, file, code })),
        location: locationOf(parsed, first.field),
        ...(problems.length > 1 && { codes: problems.map(({ kind }) => kind) }),
      };
      const named = problems.map((problem) => ({ ...problem, file: shown(problem.file) }));
      return { ...finding.fail(first.kind, { dir: parsed.dir, problems: named }, evidence), secrets };
    }

    const evidence = { variables: used, files: references.map(({ field, file }) => ({ field, file: shown(file) })) };
    const exposed = references.flatMap((reference, index) => {
      const mode = inspected[index]!.mode;
      return reference.privateKey && mode !== undefined && (mode & 0o077) !== 0 && process.platform !== 'win32'
        ? [{ ...reference, mode }]
        : [];
    });
    if (exposed.length > 0) {
      // The message names the file as the config does; the command, by a path that works where golive runs.
      const named = exposed.map((reference) => ({ ...reference, file: shown(reference.file), fromCwd: fromCurrentFolder(reference.file) }));
      return {
        ...finding.warn('key-readable-by-others', { exposed: named }, { ...evidence, location: locationOf(parsed, exposed[0]!.field) }, resolved),
        secrets,
      };
    }
    return { ...pass(resolved, evidence), secrets };
  },
});
