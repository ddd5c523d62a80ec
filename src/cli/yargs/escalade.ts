/**
 * In place of `escalade/sync` (bundling aliases it here). yargs walks up from
 * the folder above `node_modules` (the user's project) to the first
 * package.json and reads its "yargs" key as parser settings: a project's own
 * settings would change how golive reads its command line. golive's settings
 * are in its code, so the walk finds nothing.
 */
export default function escalade(): undefined {
  return undefined;
}
