/** Every check id, in report order (DESIGN.md). Scripts and support key on these. */
export const CHECK_IDS = [
  'config.parse',
  'config.schema',
  'config.references',
  'config.consistency',
  'signing.key',
  'signing.certificate',
  'signing.keypair',
  'transport.key',
  'transport.certificate',
  'transport.keypair',
  'jwks.fetch',
  'jwks.signing-key',
  'jwks.transport-key',
  'network.token-endpoint',
  'network.api-endpoint',
  'clock.skew',
  'token.request',
  'token.response',
  'probe.call',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];
