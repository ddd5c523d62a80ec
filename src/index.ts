/**
 * golive as a library: `runChecks` runs the checks and resolves to the
 * report the CLI prints; `loadConfig` reads and validates one config. The
 * CLI is built on these same functions.
 *
 * @example
 * import { runChecks, exitCodeFor, reporters } from 'golive';
 * const report = await runChecks(['uat.yaml'], { offline: true });
 * console.log(reporters.plain(report, { color: false }));
 * process.exitCode = exitCodeFor(report);
 */
export {
  runChecks,
  loadConfig,
  type RunChecksOptions,
  type LoadConfigOptions,
  type LoadConfigResult,
  type VariableSources,
} from './api.js';
export { checkConfigs, type CheckRunInput, type CheckRunResult } from './check-run.js';
export { DEFAULT_OPTIONS, type RunOptions } from './pipeline/context.js';
export type { RunnerEvent } from './pipeline/runner.js';
export { exitCodeFor } from './report/build.js';
export type { Report, RunReport, RunConfigSummary, CheckReport, Summary } from './report/types.js';
export type { Status, Evidence } from './pipeline/check.js';
export type {
  ResolvedConfig,
  ParsedConfig,
  SourceLocation,
  SigningConfig,
  CredentialFiles,
  Endpoints,
  AuthMethod,
  Connectivity,
  Environment,
  Profile,
  Region,
} from './config/types.js';
export { reporters, type ReporterName, type Reporter, type ReporterOptions } from './reporters/index.js';
export { CHECK_IDS, type CheckId } from '../checks/index.js';
