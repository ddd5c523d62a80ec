import type { AuthMethod, Connectivity, Environment } from '../../config/types.js';

/** A decision the importer made, with what it rests on: always shown to the user. */
export interface Inference {
  field: string;
  value: string;
  reason: string;
}

export interface ImportedFile {
  /** Relative to the config's folder. */
  path: string;
  content: string;
  mode: number;
  /** The Postman variable it came from. */
  from: string;
}

export interface PostmanImport {
  /** The Postman environment's name, when it has one. */
  name?: string;
  variableCount: number;
  /** The golive config (YAML). Holds no secret. */
  config: string;
  /** Key and certificate files to write next to the config. */
  files: ImportedFile[];
  mapped: { variable: string; field: string }[];
  /** Derived from the values, e.g. the environment from the API host. */
  inferred: Inference[];
  /** Not in the export: a default the user must confirm. */
  guessed: Inference[];
  /** Things to add by hand before `golive check` can pass. */
  todo: string[];
  /** Recognised variables that were not used, and why. */
  ignored: { variable: string; reason: string }[];
  /** Names of variables golive does not know (values are never shown). */
  unknown: string[];
  /** Variables to export before running golive, and the Postman variable holding each value. */
  exports: { name: string; from: string }[];
  /** Every secret value met: for redacting anything printed. */
  secrets: string[];
}

export interface PostmanOverrides {
  environment?: Environment;
  connectivity?: Connectivity;
  authMethod?: AuthMethod;
}
