/**
 * Canary secrets: distinctive values put where golive must treat them as
 * secret (variables named *_SECRET / *_PASSWORD / *_TOKEN / *PASSPHRASE, the
 * client secret, a key's passphrase, secret Postman variables). None may come
 * out of any door, in any encoding. Each value is a long alphanumeric core,
 * searched for on its own (so a partial or URL-normalised encoding still
 * counts), plus a tail of characters that encodings change.
 */

const TAIL = '/+=%é';

function canary(core: string): string {
  return `${core}${TAIL}`;
}

export const CANARY = {
  /** THREDD_CLIENT_SECRET in the environment. */
  clientSecret: canary('CnryClientSecretQ7x9Lm2Wz4RtB8'),
  /** MY_API_TOKEN in the environment. */
  apiToken: canary('CnryApiTokenH3k8Vb1Nd6PsYc5Ue'),
  /** DB_PASSWORD in the environment. */
  dbPassword: canary('CnryDbPasswordJ5p2Xs9Gf4TyLq7'),
  /** SIGNING_KEY_PASSPHRASE in the environment, and the passphrase of the encrypted signing key. */
  passphrase: canary('CnryKeyPassphraseM4c7Zr1Ua8Qe'),
  /** A literal client.secret written in a config file. */
  inlineSecret: canary('CnryInlineSecretW2n6Dk3Lh9BvX'),
  /** FILE_SECRET (and THREDD_CLIENT_SECRET) in an --env-file. */
  envFileSecret: canary('CnryEnvFileSecretR8t1Yg5Kc2Nm'),
  /** A Postman client_secret. */
  postmanSecret: canary('CnryPostmanSecretT6v3Ha9Jw1Pz'),
  /** A Postman key passphrase. */
  postmanPassphrase: canary('CnryPostmanPassG2m7Xq4Fs8Ld'),
  /** A Postman variable of type "secret" or named *_TOKEN. */
  postmanToken: canary('CnryPostmanTokenK9b5Nc2Vr6Ye'),
} as const;

export type CanaryName = keyof typeof CANARY;

/** The environment of every CLI case: each canary under a secret name, plus the ids the fixtures use. */
export const SECRET_ENV: Record<string, string> = {
  THREDD_ORG_ID: 'org-1234',
  THREDD_CLIENT_ID: '6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11',
  THREDD_CLIENT_SECRET: CANARY.clientSecret,
  MY_API_TOKEN: CANARY.apiToken,
  DB_PASSWORD: CANARY.dbPassword,
  SIGNING_KEY_PASSPHRASE: CANARY.passphrase,
};

function core(value: string): string {
  return value.slice(0, -TAIL.length);
}

/**
 * The forms a value takes on the wire, each long enough to be unmistakable:
 * the core itself (covers percent-encoding, JSON escaping, URL normalising),
 * base64 and base64url at each of the three byte alignments (a secret inside
 * `client_id:secret` starts anywhere), and hex.
 */
function forms(value: string): { form: string; encoding: string }[] {
  const text = core(value);
  const out = [{ form: text, encoding: 'plain' }];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.from(`${'\u0000'.repeat(shift)}${text}`, 'utf8').toString('base64');
    // Drop the group holding the shifted-in bytes and the last group (it depends on what follows).
    const middle = encoded.slice(shift === 0 ? 0 : 4, -4);
    out.push({ form: middle, encoding: `base64 (offset ${shift})` });
    out.push({ form: middle.replace(/\+/g, '-').replace(/\//g, '_'), encoding: `base64url (offset ${shift})` });
  }
  const hex = Buffer.from(text, 'utf8').toString('hex');
  out.push({ form: hex, encoding: 'hex' }, { form: hex.toUpperCase(), encoding: 'HEX' });
  return out;
}

const NEEDLES = (Object.entries(CANARY) as [CanaryName, string][]).flatMap(([name, value]) =>
  forms(value).map(({ form, encoding }) => ({ name, form, encoding })),
);

export interface CanaryHit {
  canary: CanaryName;
  encoding: string;
  /** A few characters around the hit, the canary itself masked. */
  context: string;
}

/** Every canary found in `text`, in any of its encodings. */
export function findCanaries(text: string, only?: readonly CanaryName[]): CanaryHit[] {
  const hits: CanaryHit[] = [];
  for (const { name, form, encoding } of NEEDLES) {
    if (only && !only.includes(name)) continue;
    const at = text.indexOf(form);
    if (at === -1) continue;
    const before = text.slice(Math.max(0, at - 40), at);
    const after = text.slice(at + form.length, at + form.length + 20);
    hits.push({ canary: name, encoding, context: JSON.stringify(`${before}<${name}>${after}`) });
  }
  return hits;
}
