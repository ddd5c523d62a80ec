/** How a key type reads in a message, with its article: node's `asymmetricKeyType` to a name people know. */
const KEY_TYPES: ReadonlyMap<string, { name: string; article: 'a' | 'an' }> = new Map([
  ['rsa', { name: 'RSA', article: 'an' }],
  ['rsa-pss', { name: 'RSA-PSS', article: 'an' }],
  ['ec', { name: 'EC', article: 'an' }],
  ['ed25519', { name: 'Ed25519', article: 'an' }],
  ['ed448', { name: 'Ed448', article: 'an' }],
  ['x25519', { name: 'X25519', article: 'an' }],
  ['x448', { name: 'X448', article: 'an' }],
  ['dsa', { name: 'DSA', article: 'a' }],
  ['dh', { name: 'DH', article: 'a' }],
]);

export interface KeyShape {
  type: string;
  bits?: number;
  curve?: string;
}

export function keyTypeName(type: string): string {
  return KEY_TYPES.get(type)?.name ?? type;
}

/** The key as a message names it: "a 2048-bit RSA key", "an EC P-384 key", "an Ed25519 key". */
export function describeKey(key: KeyShape): string {
  const known = KEY_TYPES.get(key.type);
  const name = known?.name ?? key.type;
  if (key.bits !== undefined) return `${String(key.bits).startsWith('8') ? 'an' : 'a'} ${key.bits}-bit ${name} key`;
  if (key.curve !== undefined) return `${known?.article ?? 'a'} ${name} ${key.curve} key`;
  return `${known?.article ?? 'a'} ${name} key`;
}
