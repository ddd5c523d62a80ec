import { CHECK_IDS } from '../../checks/ids.js';

/**
 * Whether a check id is selected by `--only`/`--skip` SELECTOR: the id
 * itself, or a prefix ending at a word boundary (`jwks` selects jwks.fetch,
 * `network.token` selects network.token-endpoint, but `signing.key` does not
 * select signing.keypair).
 */
export function selects(selector: string, id: string): boolean {
  return id === selector || id.startsWith(`${selector}.`) || id.startsWith(`${selector}-`);
}

/** Every id and every prefix a selector may name: the candidates for "did you mean". */
export const SELECTOR_CANDIDATES: readonly string[] = [...new Set([...CHECK_IDS.map((id) => id.split('.')[0]!), ...CHECK_IDS])];

/** The first selector that selects no check, if any. */
export function unknownSelector(selectors: readonly string[]): string | undefined {
  return selectors.find((selector) => !CHECK_IDS.some((id) => selects(selector, id)));
}
