import type { ErrorObject } from 'ajv';
import validate from '../generated/report-validator.js';

/**
 * Checks data against schemas/report.schema.json with the validator
 * precompiled at build time (scripts/generate.mjs), so reading a report
 * needs no ajv at run time. Returns the schema errors (all of them, ajv's
 * `ErrorObject`s), or undefined when the data is a valid report.
 */
export function validateReport(data: unknown): ErrorObject[] | undefined {
  if (validate(data)) return undefined;
  return validate.errors ?? [];
}
