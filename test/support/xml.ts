/**
 * A small, strict XML 1.0 reader for tests: enough to prove that a reporter
 * wrote a well-formed document and to read back what a parser would see.
 * It rejects what our writers never need (DOCTYPE, CDATA, processing
 * instructions after the declaration) and raw tabs or line breaks in
 * attribute values, which a parser would silently turn into spaces.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The decoded character data directly inside this element. */
  text: string;
}

export class XmlError extends Error {}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function isNameStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_' || ch === ':';
}

function isNameChar(ch: string): boolean {
  return isNameStart(ch) || (ch >= '0' && ch <= '9') || ch === '-' || ch === '.';
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

class Reader {
  private pos = 0;

  constructor(private readonly doc: string) {}

  parseDocument(): XmlElement {
    for (const ch of this.doc) {
      const code = ch.codePointAt(0) ?? 0;
      if (!isXmlChar(code)) throw new XmlError(`character U+${code.toString(16)} is not allowed in XML 1.0`);
    }
    if (this.doc.startsWith('<?xml')) {
      const end = this.doc.indexOf('?>');
      if (end === -1) throw new XmlError('unterminated XML declaration');
      this.pos = end + 2;
    }
    this.skipSpace();
    const root = this.element();
    this.skipSpace();
    if (this.pos !== this.doc.length) throw new XmlError(`content after the root element at ${this.pos}`);
    return root;
  }

  private peek(offset = 0): string | undefined {
    return this.doc[this.pos + offset];
  }

  private expect(text: string): void {
    if (!this.doc.startsWith(text, this.pos)) throw new XmlError(`expected ${JSON.stringify(text)} at ${this.pos}`);
    this.pos += text.length;
  }

  private skipSpace(): void {
    while (isSpace(this.peek())) this.pos += 1;
  }

  private name(): string {
    const start = this.pos;
    const first = this.peek();
    if (first === undefined || !isNameStart(first)) throw new XmlError(`expected a name at ${this.pos}`);
    while (this.peek() !== undefined && isNameChar(this.peek() as string)) this.pos += 1;
    return this.doc.slice(start, this.pos);
  }

  private reference(): string {
    this.expect('&');
    const end = this.doc.indexOf(';', this.pos);
    if (end === -1 || end - this.pos > 10) throw new XmlError(`unterminated reference at ${this.pos}`);
    const body = this.doc.slice(this.pos, end);
    this.pos = end + 1;
    if (body.startsWith('#')) {
      const hex = body.startsWith('#x');
      const digits = body.slice(hex ? 2 : 1);
      const valid = digits.length > 0 && [...digits].every((d) => (hex ? '0123456789abcdefABCDEF' : '0123456789').includes(d));
      const code = valid ? Number.parseInt(digits, hex ? 16 : 10) : Number.NaN;
      if (!valid || !isXmlChar(code)) throw new XmlError(`invalid character reference &${body};`);
      return String.fromCodePoint(code);
    }
    const named = NAMED[body];
    if (named === undefined) throw new XmlError(`unknown entity &${body};`);
    return named;
  }

  private attributeValue(): string {
    const quote = this.peek();
    if (quote !== '"' && quote !== "'") throw new XmlError(`expected a quoted value at ${this.pos}`);
    this.pos += 1;
    let value = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new XmlError('unterminated attribute value');
      if (ch === quote) break;
      if (ch === '<') throw new XmlError(`"<" in an attribute value at ${this.pos}`);
      if (ch === '\t' || ch === '\n' || ch === '\r') throw new XmlError(`raw whitespace ${JSON.stringify(ch)} in an attribute value at ${this.pos}: a parser would turn it into a space`);
      if (ch === '&') {
        value += this.reference();
      } else {
        value += ch;
        this.pos += 1;
      }
    }
    this.pos += 1;
    return value;
  }

  private element(): XmlElement {
    this.expect('<');
    const name = this.name();
    const attributes: Record<string, string> = {};
    for (;;) {
      const hadSpace = isSpace(this.peek());
      this.skipSpace();
      if (this.peek() === '/' || this.peek() === '>') break;
      if (!hadSpace) throw new XmlError(`expected a space before an attribute at ${this.pos}`);
      const attribute = this.name();
      if (Object.hasOwn(attributes, attribute)) throw new XmlError(`duplicate attribute ${attribute} on <${name}>`);
      this.skipSpace();
      this.expect('=');
      this.skipSpace();
      attributes[attribute] = this.attributeValue();
    }
    const element: XmlElement = { name, attributes, children: [], text: '' };
    if (this.peek() === '/') {
      this.expect('/>');
      return element;
    }
    this.expect('>');
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new XmlError(`<${name}> is not closed`);
      if (ch === '<') {
        if (this.peek(1) === '/') break;
        if (this.peek(1) === '!' || this.peek(1) === '?') throw new XmlError(`unexpected markup at ${this.pos}`);
        element.children.push(this.element());
      } else if (ch === '&') {
        element.text += this.reference();
      } else {
        if (this.doc.startsWith(']]>', this.pos)) throw new XmlError(`"]]>" in character data at ${this.pos}`);
        element.text += ch;
        this.pos += 1;
      }
    }
    this.expect('</');
    const closing = this.name();
    if (closing !== name) throw new XmlError(`<${name}> closed by </${closing}>`);
    this.skipSpace();
    this.expect('>');
    return element;
  }
}

/** Parses a document, throwing XmlError when it is not well-formed. */
export function parseXml(doc: string): XmlElement {
  return new Reader(doc).parseDocument();
}

/** All descendants (and the element itself) with the given name, in document order. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  const own = element.name === name ? [element] : [];
  return [...own, ...element.children.flatMap((child) => findAll(child, name))];
}
