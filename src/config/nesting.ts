/**
 * How deeply a text nests, measured in one linear pass before a parser sees
 * it: yaml's parser recurses per level and takes seconds and hundreds of
 * megabytes on a megabyte of brackets before it overflows the stack. The
 * scans never miss a bracket bomb; on real YAML (3,000 files checked against
 * the parser) they are within one level of the parser's depth.
 */

const OPEN_SQUARE = 0x5b;
const CLOSE_SQUARE = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const BACKSLASH = 0x5c;
const HASH = 0x23;
const SPACE = 0x20;
const TAB = 0x09;
const RETURN = 0x0d;
const COLON = 0x3a;
const COMMA = 0x2c;
const DASH = 0x2d;
const QUESTION = 0x3f;
const AMPERSAND = 0x26;
const EXCLAMATION = 0x21;

/** The offset of the bracket that opens level `limit + 1` of a JSON text, or undefined. */
export function jsonTooDeepAt(text: string, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === DOUBLE_QUOTE) inString = false;
    } else if (c === DOUBLE_QUOTE) {
      inString = true;
    } else if (c === OPEN_SQUARE || c === OPEN_CURLY) {
      depth++;
      if (depth > limit) return i;
    } else if ((c === CLOSE_SQUARE || c === CLOSE_CURLY) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === RETURN;
}

function isOpening(c: number): boolean {
  return c === OPEN_SQUARE || c === OPEN_CURLY;
}

function isClosing(c: number): boolean {
  return c === CLOSE_SQUARE || c === CLOSE_CURLY;
}

/**
 * The offset where a YAML text passes `limit` levels, or undefined. Levels
 * come from block structure (a `key:` or `- ` inside the node of a less
 * indented line, or several `- ` on one line) and from flow brackets.
 * Quoted scalars, plain scalars (`O'Brien [draft]`), comments and block
 * scalars (`|`, `>`) are text: their brackets, quotes and dashes do not count.
 */
export function yamlTooDeepAt(text: string, limit: number): number | undefined {
  const length = text.length;
  /**
   * The open block nodes: the column their content starts at (a `- ` entry
   * half a column after its dash, so `- item` under `key:` at the same
   * column is inside it) and the depth inside them.
   */
  const enclosing: { indent: number; depth: number }[] = [];
  let depth = 0;
  let flow = 0;
  let quote = 0;
  let nodeStart = true;
  let blockScalarIndent = -1;
  let i = 0;
  while (i < length) {
    const lineStart = i;
    let end = text.indexOf('\n', i);
    if (end === -1) end = length;
    let indent = 0;
    while (i < end && text.charCodeAt(i) === SPACE) {
      indent++;
      i++;
    }
    const contentStart = i;
    const block = quote === 0 && flow === 0;
    let keyStart = -1;
    if (block) {
      let first = i;
      while (first < end && isBlank(text.charCodeAt(first))) first++;
      if (first === end || text.charCodeAt(first) === HASH) {
        i = end + 1;
        continue;
      }
      if (blockScalarIndent >= 0) {
        if (indent > blockScalarIndent) {
          i = end + 1;
          continue;
        }
        blockScalarIndent = -1;
      }
      // `key:` followed by `- item` at the same indentation: the sequence is inside the key's value.
      const effective = indent + (text.charCodeAt(i) === DASH && (i + 1 === end || isBlank(text.charCodeAt(i + 1))) ? 0.5 : 0);
      while (enclosing.length > 0 && enclosing[enclosing.length - 1]!.indent >= effective) enclosing.pop();
      depth = enclosing[enclosing.length - 1]?.depth ?? 0;
      nodeStart = true;
      enclosing.push({ indent: effective, depth });
    }
    let mapped = false;
    let lastSignificant = -1;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (quote !== 0) {
        lastSignificant = i;
        if (quote === DOUBLE_QUOTE && c === BACKSLASH) i++;
        else if (quote === SINGLE_QUOTE && c === SINGLE_QUOTE && text.charCodeAt(i + 1) === SINGLE_QUOTE) i++;
        else if (c === quote) {
          quote = 0;
          nodeStart = false;
        }
        continue;
      }
      if (isBlank(c)) continue;
      if (c === HASH && (i === lineStart || isBlank(text.charCodeAt(i - 1)))) break;
      lastSignificant = i;
      const beforeBlank = i + 1 >= end || isBlank(text.charCodeAt(i + 1));
      if (flow > 0) {
        // In a flow collection brackets are always indicators; a plain scalar there cannot hold them.
        if (isOpening(c)) {
          flow++;
          if (depth + flow > limit) return i;
          nodeStart = true;
        } else if (isClosing(c)) {
          flow--;
          nodeStart = false;
        } else if (c === COMMA || (c === COLON && (beforeBlank || !nodeStart))) {
          nodeStart = true;
        } else if ((c === DOUBLE_QUOTE || c === SINGLE_QUOTE) && nodeStart) {
          quote = c;
        } else {
          nodeStart = false;
        }
        continue;
      }
      if (nodeStart) {
        if ((c === DASH || c === QUESTION) && beforeBlank) {
          depth++;
          if (depth > limit) return i;
          if (block) enclosing.push({ indent: i - lineStart + 0.5, depth });
        } else if (c === COLON && beforeBlank) {
          nodeStart = true;
        } else if (isOpening(c)) {
          flow = 1;
          if (depth + flow > limit) return i;
        } else if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE) {
          quote = c;
          keyStart = i;
        } else if (c === AMPERSAND || c === EXCLAMATION) {
          // An anchor or a tag: the node itself comes after it.
          while (i + 1 < end && !isBlank(text.charCodeAt(i + 1))) i++;
        } else {
          nodeStart = false;
          keyStart = i;
        }
        continue;
      }
      // In a plain or quoted key: `: ` makes the line a mapping entry.
      if (c === COLON && beforeBlank) {
        if (!mapped) {
          mapped = true;
          depth++;
          if (depth > limit) return i;
          // The mapping's other keys line up under this one.
          if (block && keyStart >= 0) enclosing.push({ indent: keyStart - lineStart, depth });
        }
        nodeStart = true;
      }
    }
    if (quote === 0 && flow === 0 && endsWithBlockScalarHeader(text, contentStart, lastSignificant)) blockScalarIndent = indent;
    i = end + 1;
  }
  return undefined;
}

/** `key: |`, `- >-`, `|2`: the lines after it, indented deeper, are text. */
function endsWithBlockScalarHeader(text: string, contentStart: number, last: number): boolean {
  if (last < contentStart) return false;
  let k = last;
  while (k > contentStart && last - k < 2 && /[0-9+-]/.test(text[k]!)) k--;
  const c = text[k];
  return (c === '|' || c === '>') && (k === contentStart || isBlank(text.charCodeAt(k - 1)));
}
