import { createHash } from 'node:crypto';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { CONFIG_FILE_LIMIT, InputFileError, readInputFile, type FileKind } from '../files/input.js';
import { credentialFileOf, type CredentialFile } from './credential-file.js';
import { jsonTooDeepAt, yamlTooDeepAt } from './nesting.js';
import { readPlainYaml } from './plain-yaml.js';
import type { ConfigPath, ParsedConfig, SourceLocation } from './types.js';

/** A golive config nests about five levels; the parser recurses per level, so far more is refused unparsed. */
export const MAX_CONFIG_NESTING = 64;

export type ParseProblem =
  | { kind: 'not-found' | 'is-directory' | 'unreadable' | 'empty' | 'binary'; code?: string }
  | { kind: 'not-a-file'; fileKind: Exclude<FileKind, 'folder'> }
  | { kind: 'too-large'; size: number; limit: number }
  | { kind: 'too-deep'; format: 'yaml' | 'json'; limit: number; line?: number; column?: number }
  | { kind: 'credential'; credential: CredentialFile }
  | { kind: 'syntax'; format: 'yaml' | 'json'; reason: string; code?: string; line?: number; column?: number };

export type ParseResult = { ok: true; config: ParsedConfig } | { ok: false; problem: ParseProblem };

/** `client.scopes[0]` from ['client', 'scopes', 0]. */
export function formatPath(segments: ConfigPath): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Reads and parses a config file without interpolating anything. */
export async function parseConfigFile(file: string): Promise<ParseResult> {
  const absolute = path.resolve(file);
  let bytes: Buffer;
  try {
    bytes = await readInputFile(absolute, { role: 'the config', limit: CONFIG_FILE_LIMIT });
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    const { problem } = error;
    switch (problem.kind) {
      case 'missing':
        return { ok: false, problem: { kind: 'not-found', code: problem.code } };
      case 'unreadable':
        return { ok: false, problem: { kind: 'unreadable', code: problem.code } };
      case 'not-a-file':
        return { ok: false, problem: problem.fileKind === 'folder' ? { kind: 'is-directory' } : { kind: 'not-a-file', fileKind: problem.fileKind } };
      case 'too-large':
        return { ok: false, problem };
    }
  }
  const credential = credentialFileOf(bytes, absolute);
  if (credential) return { ok: false, problem: { kind: 'credential', credential } };
  return parseConfigText(bytes.toString('utf8'), absolute);
}

export function parseConfigText(text: string, absoluteFile: string): ParseResult {
  if (text.includes('\u0000')) return { ok: false, problem: { kind: 'binary' } };
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') return { ok: false, problem: { kind: 'empty' } };
  const format = absoluteFile.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
  const tooDeep = (format === 'json' ? jsonTooDeepAt : yamlTooDeepAt)(source, MAX_CONFIG_NESTING);
  if (tooDeep !== undefined) return { ok: false, problem: { kind: 'too-deep', format, limit: MAX_CONFIG_NESTING, ...lineAndColumn(source, tooDeep) } };
  if (format === 'json') {
    const problem = jsonSyntaxProblem(source);
    if (problem) return { ok: false, problem };
  }
  // Most YAML configs are of the plain kind readPlainYaml reads; the yaml library reads the rest.
  const plain = format === 'yaml' ? readPlainYaml(source) : undefined;
  const data = plain ? { ok: true as const, data: plain } : parseData(source, format);
  if (!data.ok) return data;
  return {
    ok: true,
    config: {
      file: absoluteFile,
      dir: path.dirname(absoluteFile),
      format,
      sha256: createHash('sha256').update(text).digest('hex'),
      data: data.data,
      locate: locator(source),
    },
  };
}

/** The data of a YAML or JSON text as the yaml library reads it, or what is wrong with it. */
function parseData(source: string, format: 'yaml' | 'json'): { ok: true; data: unknown } | { ok: false; problem: ParseProblem } {
  const { document, lineCounter } = parseYaml(source);
  const error = document.errors[0];
  if (error) {
    const position = lineCounter.linePos(error.pos[0]);
    // The scan is a bound for sane files; odd YAML past it still overflows the parser's stack.
    if (error.message.includes('Maximum call stack size exceeded')) {
      return { ok: false, problem: { kind: 'too-deep', format, limit: MAX_CONFIG_NESTING, line: position.line, column: position.col } };
    }
    return {
      ok: false,
      problem: {
        kind: 'syntax',
        format,
        // yaml's messages end with a code frame of the file, which could
        // show a secret written inline: keep the first sentence only.
        reason: firstSentence(error.message),
        code: error.code,
        line: position.line,
        column: position.col,
      },
    };
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // toJS throws for an unresolved alias or an alias bomb; point at the first alias.
    let offset: number | undefined;
    visit(document, {
      Alias(_key, node) {
        offset = node.range?.[0];
        return visit.BREAK;
      },
    });
    const position = offset === undefined ? undefined : lineCounter.linePos(offset);
    return {
      ok: false,
      problem: {
        kind: 'syntax',
        format,
        reason: `a YAML alias cannot be used here: ${firstSentence((error as Error).message)}`,
        code: 'ALIAS',
        line: position?.line,
        column: position?.col,
      },
    };
  }
  return { ok: true, data };
}

function parseYaml(source: string): { document: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  // logLevel 'error': yaml's warnings (e.g. a collection used as a key) go to
  // process.emitWarning, which would print on stderr past our reporters.
  const document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  return { document, lineCounter };
}

/**
 * Where paths sit in the file, from a parse of its text made when first
 * asked: only a config with a finding asks, and a run of many configs would
 * otherwise hold every document to its end (the text is a twentieth of it).
 */
function locator(source: string): ParsedConfig['locate'] {
  let parsed: ReturnType<typeof parseYaml> | undefined;
  return (segments, options) => {
    parsed ??= parseYaml(source);
    return locate(parsed.document, parsed.lineCounter, segments, options?.key === true);
  };
}

function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = source.indexOf('\n'); at !== -1 && at < offset; at = source.indexOf('\n', at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function firstSentence(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
}

function jsonSyntaxProblem(source: string): ParseProblem | undefined {
  try {
    JSON.parse(source);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const offset = /position (\d+)/.exec(message);
    const explicit = /line (\d+) column (\d+)/.exec(message);
    let line: number | undefined;
    let column: number | undefined;
    if (explicit) {
      line = Number(explicit[1]);
      column = Number(explicit[2]);
    } else if (offset) {
      const before = source.slice(0, Number(offset[1]));
      line = before.split('\n').length;
      column = Number(offset[1]) - before.lastIndexOf('\n');
    }
    // V8 quotes the offending token and some context; keep only its kind.
    const reason = message.replace(/ in JSON at position.*$/s, '').replace(/, ".*$/s, '').replace(/\(line \d+ column \d+\)/, '').trim();
    return { kind: 'syntax', format: 'json', reason, line, column };
  }
}

function locate(
  document: Document,
  lineCounter: LineCounter,
  segments: ConfigPath,
  wantKey: boolean,
): SourceLocation | undefined {
  let node: unknown = document.contents;
  let keyNode: Node | undefined;
  let deepest: Node | undefined = document.contents ?? undefined;
  for (const segment of segments) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      node = undefined;
    }
    if (!node && !keyNode) break;
    deepest = (node as Node | undefined) ?? keyNode ?? deepest;
  }
  const target = wantKey && keyNode ? keyNode : deepest;
  const offset = target?.range?.[0];
  if (offset === undefined) return undefined;
  const position = lineCounter.linePos(offset);
  return { path: formatPath(segments), line: position.line, column: position.col };
}
