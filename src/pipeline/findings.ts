import type { CheckOutcome, Evidence } from './check.js';

/**
 * How one finding reads: its message (what is wrong, one sentence with the
 * concrete values) and hint (what to do), from the finding's arguments.
 */
export interface FindingText<A> {
  message(args: A): string;
  hint(args: A): string;
}

/**
 * A check's findings by code: one table per check, written
 * `function findings() { return { 'key-not-registered': { message: (a: {...}) => ..., hint: () => ... } } satisfies FindingTable; }`.
 * Codes are stable (scripts and support key on them): lowercase words
 * joined by hyphens, unique within the check.
 */
export type FindingTable = Record<string, FindingText<any>>;

/** The arguments a finding's text takes (`{}` for a text that takes none). */
export type FindingArgs<F> = F extends { message(args: infer A): string } ? (unknown extends A ? Record<string, never> : A) : never;

/** One finding, resolved to text: what a warn or fail carries. */
export interface Finding<C extends string = string> {
  code: C;
  message: string;
  hint: string;
}

export interface Findings<T extends FindingTable> {
  /** The finding's code and text. */
  text<K extends keyof T & string>(code: K, args: FindingArgs<T[K]>): Finding<K>;
  fail<K extends keyof T & string>(code: K, args: FindingArgs<T[K]>, evidence?: Evidence): CheckOutcome<never>;
  warn<K extends keyof T & string, O>(code: K, args: FindingArgs<T[K]>, evidence?: Evidence, output?: O): CheckOutcome<O>;
}

/**
 * The functions a check reports its findings with, typed by its table.
 * The table comes from a function, called at the first finding: V8 parses
 * a function's body only when it first runs, while a table of arrow
 * functions at a module's top level costs start-up time on every run
 * (measured: about 15 us per entry, milliseconds over all checks).
 */
export function findingsOf<T extends FindingTable>(table: () => T): Findings<T> {
  let entries: T | undefined;
  const text = <K extends keyof T & string>(code: K, args: FindingArgs<T[K]>): Finding<K> => {
    entries ??= table();
    const entry = entries[code]!;
    return { code, message: entry.message(args), hint: entry.hint(args) };
  };
  return {
    text,
    fail: (code, args, evidence) => ({ status: 'fail', ...text(code, args), ...(evidence !== undefined && { evidence }) }),
    warn: (code, args, evidence, output) => ({ status: 'warn', ...text(code, args), ...(evidence !== undefined && { evidence }), output }),
  };
}

/**
 * Several findings of one check as one result: the first finding's code
 * leads (list the most important first), every message and every distinct
 * hint follow in order, and `evidence.codes` lists them all.
 */
export function combine<O>(status: 'warn' | 'fail', found: readonly [Finding, ...Finding[]], evidence: Evidence, output?: O): CheckOutcome<O> {
  return {
    status,
    code: found[0].code,
    message: found.map((finding) => finding.message).join(' '),
    hint: [...new Set(found.map((finding) => finding.hint))].join(' '),
    evidence: { ...evidence, ...(found.length > 1 && { codes: found.map((finding) => finding.code) }) },
    ...(status === 'warn' && { output }),
  };
}
