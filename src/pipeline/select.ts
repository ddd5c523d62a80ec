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
export function selectorCandidates(ids: readonly string[]): string[] {
  return [...new Set([...ids.map((id) => id.split('.')[0]!), ...ids])];
}

/** The first selector that selects none of the ids, if any. */
export function unknownSelector(selectors: readonly string[], ids: readonly string[]): string | undefined {
  return selectors.find((selector) => !ids.some((id) => selects(selector, id)));
}
