import { createHash } from 'node:crypto';
import type { LoadResult } from './findings.js';

/**
 * Keys and certificates loaded in one run, by everything their result
 * depends on: the file's bytes and the loader's inputs (passphrase, and the
 * file name and config section its findings name). Configs that name the
 * same files, or copies of them, then parse each once: parsing is most of an
 * offline check's cost (OpenSSL takes about half a millisecond for an RSA
 * key), while each config still reads its own files. A result is shared by
 * every config that loads those bytes, so nothing may change it; it is
 * frozen to make that so.
 */
export class CredentialMemo {
  readonly #results = new Map<string, Promise<unknown>>();

  /**
   * `load()`'s result, loaded once per distinct `inputs` and `bytes`. The key
   * is a digest, so the memo holds no passphrase and no key material as text.
   */
  remember<T extends LoadResult<{ facts: object }>>(inputs: readonly (string | boolean | undefined)[], bytes: Buffer, load: () => Promise<T> | T): Promise<T> {
    const hash = createHash('sha256');
    for (const input of inputs) {
      // Length-prefixed, so no two lists of inputs run together into the same text; UTF-16, which
      // keeps every string apart (UTF-8 would turn a lone surrogate into U+FFFD).
      const text = input === undefined ? '' : String(input);
      hash.update(`${typeof input}:${text.length}:`).update(text, 'utf16le');
    }
    const key = hash.update(bytes).digest('base64');
    let result = this.#results.get(key) as Promise<T> | undefined;
    if (!result) {
      result = Promise.resolve(load()).then(freezeResult);
      this.#results.set(key, result);
    }
    return result;
  }
}

/** The parts of a load result a check could change, frozen: crypto objects are immutable already. */
function freezeResult<T extends LoadResult<{ facts: object }>>(result: T): T {
  if (result.ok) {
    Object.freeze(result.value.facts);
    Object.freeze(result.value);
    Object.freeze(result.repaired);
  } else {
    Object.freeze(result.finding.evidence);
    Object.freeze(result.finding);
  }
  return Object.freeze(result);
}
