/**
 * golive as a library: run the checks and render reports from code. The CLI
 * is built on these same functions.
 */
export { checkConfigs, type CheckRunInput, type CheckRunResult } from './check-run.js';
export { DEFAULT_OPTIONS, type RunOptions } from './pipeline/context.js';
export { exitCodeFor } from './report/build.js';
export type { Report, RunReport, CheckReport, Summary } from './report/types.js';
export { reporters } from './reporters/index.js';
export { CHECK_IDS, type CheckId } from '../checks/ids.js';
