import type { Report } from '../report/types.js';

export interface ReporterOptions {
  /** ANSI colour; false gives output without any escape sequence. */
  color: boolean;
}

/** A pure function of the report: no I/O, no clock, no environment. */
export type Reporter = (report: Report, options: ReporterOptions) => string;
