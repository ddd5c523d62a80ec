/**
 * `golive init --from-postman`: turns a Postman environment export (or a
 * collection export's variables) into a golive config. Every value that
 * decides something is reported as mapped, inferred or guessed; secrets
 * leave the YAML (the client secret becomes `${THREDD_CLIENT_SECRET}`, or
 * `${THREDD_PROD_CLIENT_SECRET}` for Production; key material moves into
 * files of its own) and are never printed. A value that
 * takes a secret through a `{{reference}}` is not used outside those places.
 *
 * The steps, one module each under postman/: read the export, assign each
 * variable to the field it feeds (targets, references), infer what no
 * variable gives, draft the config, write it, describe what was done.
 */
export { describePostmanImport } from './postman/describe.js';
export { importPostman } from './postman/draft.js';
export { parsePostmanJson, PostmanFormatError, postmanVariables, type PostmanVariable } from './postman/read.js';
export type { ImportedFile, Inference, PostmanImport, PostmanOverrides } from './postman/types.js';
export { writePostmanImport, type FileWriter } from './postman/write.js';
