import type { ResolvedConfig } from '../config/types.js';

const SOLE_VARIABLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}$/;

/**
 * The variable a field's value is read from, when the field is exactly one
 * `${VAR}` in the file (the name only: a default after `:-` may be secret).
 */
export function variableOf(config: ResolvedConfig, path: readonly string[]): string | undefined {
  let value: unknown = config.parsed.data;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? SOLE_VARIABLE.exec(value.trim())?.[1] : undefined;
}

/** Where a field of both configs comes from the same variable, the advice to split it: diff reads both in one environment. */
export function sharedVariableAdvice(uat: ResolvedConfig, production: ResolvedConfig, path: readonly string[]): string | undefined {
  const name = variableOf(uat, path);
  if (name === undefined || name !== variableOf(production, path)) return undefined;
  return `both configs read ${path.join('.')} from \${${name}}, and golive diff reads both in one environment: give the Production config its own variable (e.g. \${${productionName(name)}})`;
}

function productionName(name: string): string {
  return name.includes('UAT') ? name.replace('UAT', 'PROD') : name.replace(/^([A-Z]+_)?/, (prefix) => `${prefix}PROD_`);
}

/** A short form of a colon-separated SHA-256 fingerprint for messages: the first eight bytes. */
export function shortFingerprint(fingerprint: string): string {
  return `${fingerprint.split(':').slice(0, 8).join(':')}…`;
}
