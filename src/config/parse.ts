import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { ConfigPath, ParsedConfig, SourceLocation } from './types.js';

/** Config files are small; anything larger is a wrong file, not a config. */
const MAX_CONFIG_BYTES = 1_048_576;

export type ParseProblem =
  | { kind: 'not-found' | 'is-directory' | 'unreadable' | 'too-large' | 'empty' | 'binary'; code?: string; size?: number }
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
  let text: string;
  try {
    const info = await stat(absolute);
    if (info.isDirectory()) return { ok: false, problem: { kind: 'is-directory' } };
    if (info.size > MAX_CONFIG_BYTES) return { ok: false, problem: { kind: 'too-large', size: info.size } };
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: { kind: code === 'ENOENT' ? 'not-found' : 'unreadable', code } };
  }
  return parseConfigText(text, absolute);
}

export function parseConfigText(text: string, absoluteFile: string): ParseResult {
  if (text.includes('\u0000')) return { ok: false, problem: { kind: 'binary' } };
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') return { ok: false, problem: { kind: 'empty' } };
  const format = absoluteFile.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
  if (format === 'json') {
    const problem = jsonSyntaxProblem(source);
    if (problem) return { ok: false, problem };
  }
  const lineCounter = new LineCounter();
  // logLevel 'error': yaml's warnings (e.g. a collection used as a key) go to
  // process.emitWarning, which would print on stderr past our reporters.
  const document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const error = document.errors[0];
  if (error) {
    const position = lineCounter.linePos(error.pos[0]);
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
  return {
    ok: true,
    config: {
      file: absoluteFile,
      dir: path.dirname(absoluteFile),
      format,
      sha256: createHash('sha256').update(text).digest('hex'),
      data,
      locate: (segments, options) => locate(document, lineCounter, segments, options?.key === true),
    },
  };
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
