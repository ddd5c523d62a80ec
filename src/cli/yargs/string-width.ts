/**
 * In place of `string-width` (bundling aliases it here, for cliui and
 * wrap-ansi): the package builds an `Intl.Segmenter` when it loads, ~20 ms at
 * every start of golive, for help text that is ASCII. Printable ASCII is
 * measured by length; anything else by grapheme, two columns for East Asian
 * wide and emoji ones, so a translated or pasted description still lines up.
 */
const ANSI = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)/g;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ZERO_WIDTH = /^(?:\p{Default_Ignorable_Code_Point}|\p{Control}|\p{Mark})+$/u;
const WIDE = /\p{Extended_Pictographic}|[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u;

let segmenter: Intl.Segmenter | undefined;

export default function stringWidth(value: unknown): number {
  if (typeof value !== 'string' || value.length === 0) return 0;
  const text = value.replace(ANSI, '');
  if (PRINTABLE_ASCII.test(text)) return text.length;
  segmenter ??= new Intl.Segmenter();
  let width = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (ZERO_WIDTH.test(segment)) continue;
    width += WIDE.test(segment) ? 2 : 1;
  }
  return width;
}
