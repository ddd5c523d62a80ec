import type { ConfigPath } from './types.js';

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Variables whose values are secret by name (DESIGN.md, "Never in any output"). */
export const SECRET_NAME = /SECRET|PASSWORD|PASSPHRASE|TOKEN|KEY/i;

export interface MissingVariable {
  name: string;
  path: ConfigPath;
}

export interface Interpolation {
  data: unknown;
  missing: MissingVariable[];
  /** Values taken from variables whose names mark them secret. */
  secretValues: string[];
  /** Every variable name used, for the report (names only, never values). */
  used: string[];
}

/** Replaces `${VAR}` and `${VAR:-default}` in every string of the document. */
export function interpolate(data: unknown, env: Readonly<Record<string, string | undefined>>): Interpolation {
  const missing: MissingVariable[] = [];
  const secretValues = new Set<string>();
  const used = new Set<string>();

  const visit = (value: unknown, at: ConfigPath): unknown => {
    if (typeof value === 'string') {
      return replaceVariables(value, (name, fallback) => {
        used.add(name);
        // Own variables only: `${constructor}` must not find Object.prototype's.
        const found = Object.hasOwn(env, name) ? env[name] : undefined;
        const resolved = found !== undefined && found !== '' ? found : fallback;
        if (resolved === undefined) {
          missing.push({ name, path: at });
          return '';
        }
        if (SECRET_NAME.test(name) && resolved !== '') secretValues.add(resolved);
        return resolved;
      });
    }
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...at, index]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, [...at, key])]));
    }
    return value;
  };

  return { data: visit(data, []), missing, secretValues: [...secretValues], used: [...used] };
}

/**
 * Calls `resolve` for each `${NAME}` and `${NAME:-fallback}` in `text`, left
 * to right, and puts what it returns in the reference's place. The syntax is
 * /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, scanned by hand: that
 * expression looks for the closing brace again from every `${NAME:-`, so a
 * long run of them without one took time quadratic in the string's length.
 */
function replaceVariables(text: string, resolve: (name: string, fallback: string | undefined) => string): string {
  let out = '';
  let copied = 0;
  // The first `}` after the last fallback start searched from; each stretch of text is searched once. -1: none is left.
  let closing = 0;
  for (let start = text.indexOf('${'); start !== -1; start = text.indexOf('${', start + 2)) {
    NAME.lastIndex = start + 2;
    const name = NAME.exec(text)?.[0];
    if (name === undefined) continue;
    const afterName = NAME.lastIndex;
    let fallback: string | undefined;
    let end: number;
    if (text[afterName] === '}') {
      end = afterName + 1;
    } else if (text.startsWith(':-', afterName)) {
      if (closing !== -1 && closing < afterName + 2) closing = text.indexOf('}', afterName + 2);
      if (closing === -1) break;
      fallback = text.slice(afterName + 2, closing);
      end = closing + 1;
    } else {
      continue;
    }
    out += text.slice(copied, start) + resolve(name, fallback);
    copied = end;
    start = end - 2;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Parses a dotenv-style file: KEY=value, optional quotes, `export`, comments. */
export function parseEnvFile(text: string): Record<string, string> {
  // No prototype: a line `__proto__=x` is a variable like any other, not a prototype change.
  const out: Record<string, string> = Object.create(null);
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    // The name and `=` by one expression, the value apart: `\s*=\s*(.*)$` backtracked
    // through every blank of a long run before a lone CR, in quadratic time.
    const head = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (!head) continue;
    let value = line.slice(head[0].length).trimStart();
    // A line break the split left (a lone CR, U+2028, U+2029) makes the line no assignment.
    if (/[\r\u2028\u2029]/.test(value)) continue;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      value = withoutInlineComment(value);
    }
    out[head[1]!] = value;
  }
  return out;
}

/**
 * The value up to its comment: from the first `#` after whitespace, that
 * whitespace included. Found by `indexOf`, not by /\s+#.*$/, which tried
 * every blank of a long run and took quadratic time.
 */
function withoutInlineComment(value: string): string {
  for (let hash = value.indexOf('#', 1); hash !== -1; hash = value.indexOf('#', hash + 1)) {
    if (/\s/.test(value[hash - 1]!)) return value.slice(0, hash).trimEnd();
  }
  return value;
}
