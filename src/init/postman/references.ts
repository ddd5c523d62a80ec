/** How deep `{{a}}` → `{{b}}` → … is followed. */
const REFERENCE_DEPTH = 5;

/**
 * The text `{{references}}` may add across one export: far more than a real
 * export uses, and a bound on references that multiply (`a` is
 * `{{b}}{{b}}…`, `b` is `{{c}}{{c}}…`), which grow exponentially per level.
 */
export const REFERENCE_EXPANSION_LIMIT = 1_000_000;

export interface Resolution {
  text: string;
  /** The variables it took a value from, at any depth. */
  used: Set<string>;
  /** A `{{name}}` is left: not in the export, a cycle, or deeper than REFERENCE_DEPTH. */
  unresolved: boolean;
  /** Resolving would pass REFERENCE_EXPANSION_LIMIT: `text` is the value as given. */
  overflow: boolean;
}

/**
 * One pass of `text.replace(/\{\{([^}]+)\}\}/g, …)`, as a scanner. The
 * regex retries at every `{` of a run and scans to the next `}` each time:
 * quadratic (37k `{` took 1.5 s). Here the next `}` is found once for all
 * the openings before it.
 */
function replaceReferences(text: string, replace: (name: string) => string | undefined): { text: string; found: number; replaced: number } {
  let out = '';
  let copied = 0;
  let found = 0;
  let replaced = 0;
  // The first `}` at or after open + 2: the only place a reference opened at `open` can end.
  let close = -1;
  let open = text.indexOf('{{');
  while (open !== -1) {
    if (close < open + 2) close = text.indexOf('}', open + 2);
    if (close === -1) break;
    if (close === open + 2 || text[close + 1] !== '}') {
      open = text.indexOf('{{', open + 1);
      continue;
    }
    found++;
    const value = replace(text.slice(open + 2, close).trim());
    if (value !== undefined) {
      out += text.slice(copied, open) + value;
      copied = close + 2;
      replaced++;
    }
    open = text.indexOf('{{', close + 2);
  }
  return { text: replaced === 0 ? text : out + text.slice(copied), found, replaced };
}

/** Postman's `{{name}}` references, resolved from the other enabled variables (a few levels deep, within the export's budget). */
export function resolveReferences(value: string, lookup: ReadonlyMap<string, { value: string }>, budget: { left: number }): Resolution {
  const used = new Set<string>();
  let overflow = false;
  const replace = (name: string): string | undefined => {
    const found = lookup.get(name);
    if (!found || overflow) return undefined;
    if (found.value.length > budget.left) {
      overflow = true;
      return undefined;
    }
    budget.left -= found.value.length;
    used.add(name);
    return found.value;
  };
  let text = value;
  for (let depth = 0; depth < REFERENCE_DEPTH; depth++) {
    const pass = replaceReferences(text, replace);
    if (overflow) return { text: value, used, unresolved: true, overflow };
    text = pass.text;
    if (pass.replaced === 0) return { text, used, unresolved: pass.found > 0, overflow };
  }
  return { text, used, unresolved: replaceReferences(text, () => undefined).found > 0, overflow };
}
