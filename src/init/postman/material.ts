import { createPrivateKey } from 'node:crypto';

/** Key or certificate material pasted into a Postman variable, or a path to it. */

export const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

export function looksLikePath(value: string): boolean {
  return !value.includes('\n') && !value.includes('-----BEGIN') && /^(~|\.{0,2}\/|[A-Za-z]:\\)|\.(pem|key|crt|cer|der|p12|pfx)$/i.test(value.trim());
}

/** The file's text: pasted PEM is often on one line with literal `\n`. */
export function pemContent(value: string): string {
  const text = value.includes('\n') ? value : value.replace(/\\r\\n|\\n/g, '\n');
  return `${text.trim()}\n`;
}

/** A certificate variable sometimes holds the key too (a combined PEM): then the file is the owner's only. */
export function certificateMode(value: string): number {
  return /PRIVATE KEY/.test(value) ? 0o600 : 0o644;
}

/** The assertion algorithm a key supports: PS256 for RSA (the starter default), ES256 for P-256. */
export function algorithmFor(keyPem: string): { algorithm: string; reason: string } {
  let type: string | undefined;
  let curve: string | undefined;
  try {
    const key = createPrivateKey({ key: keyPem, format: 'pem' });
    type = key.asymmetricKeyType;
    curve = key.asymmetricKeyDetails?.namedCurve;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { algorithm: 'PS256', reason: `the key type could not be read (${code}: encrypted, or not PEM), so the default; golive check tells whether it fits` };
  }
  if (type === 'ec' && curve === 'prime256v1') return { algorithm: 'ES256', reason: 'the private key is an EC P-256 key' };
  if (type === 'ec' && curve === 'secp384r1') return { algorithm: 'ES384', reason: 'the private key is an EC P-384 key' };
  if (type === 'rsa' || type === 'rsa-pss') return { algorithm: 'PS256', reason: 'the private key is RSA (RS256 also fits: use what the portal registered)' };
  return { algorithm: 'PS256', reason: `the private key is ${type ?? 'of an unknown type'}, so the default; golive check tells whether it fits` };
}
