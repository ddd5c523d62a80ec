/**
 * How long golive's assertions live (exp − iat): well inside the platform's
 * limit (THREDD.assertionMaxLifetimeSeconds, 300 s), yet long enough that a
 * clock a minute behind still works. Messages name which of the two they mean.
 * Apart from assertion.ts: the checks' documentation states it, and loads
 * without the code that signs.
 */
export const ASSERTION_LIFETIME_SECONDS = 120;
