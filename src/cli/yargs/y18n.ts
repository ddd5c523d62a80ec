import { format } from 'node:util';

/**
 * yargs' message catalogue, in place of the y18n package (bundling aliases
 * `y18n` here). y18n reads `<locale>.json` from a folder it finds relative
 * to its own file: bundled into dist/, that folder is outside the package
 * (a user project's own `locales/` could supply golive's messages), and the
 * user's LANG would pick the file. golive speaks English and reads no
 * catalogue: a message is its key, or what `updateStrings` set for it.
 */
type Entry = string | { one: string; other: string };

export default function y18n() {
  const strings = new Map<string, Entry>();
  const text = (key: string, quantity?: number): string => {
    const entry = strings.get(key);
    if (entry === undefined || typeof entry === 'string') return entry ?? key;
    return quantity === 1 ? entry.one : entry.other;
  };
  return {
    __(key: string, ...values: unknown[]): string {
      return format(text(key), ...values);
    },
    __n(singular: string, plural: string, quantity: number, ...values: unknown[]): string {
      const template = strings.has(singular) ? text(singular, quantity) : quantity === 1 ? singular : plural;
      return format(template, ...(template.includes('%d') ? [quantity, ...values] : values));
    },
    setLocale(): void {},
    getLocale(): string {
      return 'en';
    },
    updateLocale(update: Record<string, Entry>): void {
      for (const [key, entry] of Object.entries(update)) strings.set(key, entry);
    },
  };
}
