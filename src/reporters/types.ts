import type { Report } from '../report/types.js';

/** What a rule means, for formats that carry documentation (SARIF). */
export interface RuleHelp {
  /** What the check verifies, one paragraph. */
  description: string;
  text: string;
  markdown: string;
}

export interface ReporterOptions {
  /** ANSI colour; false gives output without any escape sequence. */
  color: boolean;
  /** Documentation of a check id; reporters know reports, not checks, so the caller supplies it. */
  ruleHelp?: (id: string) => RuleHelp | undefined;
}

/** A pure function of the report: no I/O, no clock, no environment. */
export type Reporter = (report: Report, options: ReporterOptions) => string;
