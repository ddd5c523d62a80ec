import type { Report } from '../report/types.js';
import type { ReporterOptions } from './types.js';

/** The report as it is: the contract of `schemas/report.schema.json`. */
export function json(report: Report, _options: ReporterOptions): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
