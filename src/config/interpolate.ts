import type { ConfigPath } from './types.js';

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

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
      return value.replace(VARIABLE, (_match, name: string, fallback: string | undefined) => {
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

/** Parses a dotenv-style file: KEY=value, optional quotes, `export`, comments. */
export function parseEnvFile(text: string): Record<string, string> {
  // No prototype: a line `__proto__=x` is a variable like any other, not a prototype change.
  const out: Record<string, string> = Object.create(null);
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out[match[1]!] = value;
  }
  return out;
}
