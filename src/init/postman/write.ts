import { access } from 'node:fs/promises';
import path from 'node:path';
import type { PostmanImport } from './types.js';

/** Writes one file whole (the CLI passes its atomic writer). */
export type FileWriter = (file: string, content: string, mode: number) => Promise<void>;

/**
 * Writes the key and certificate files (keys mode 0600), then the config.
 * Writes nothing when any of them exists, unless `force`: returns those.
 */
export async function writePostmanImport(
  imported: PostmanImport,
  configFile: string,
  options: { force?: boolean; write: FileWriter },
): Promise<{ written: string[]; existing: string[] }> {
  const dir = path.dirname(configFile);
  const targets = [
    ...imported.files.map((file) => ({ file: path.resolve(dir, file.path), content: file.content, mode: file.mode })),
    { file: configFile, content: imported.config, mode: 0o644 },
  ];
  const exists = await Promise.all(
    targets.map(({ file }) =>
      access(file).then(
        () => true,
        () => false,
      ),
    ),
  );
  const existing = targets.filter((_, index) => exists[index]).map(({ file }) => file);
  if (existing.length > 0 && !options.force) return { written: [], existing };
  // Keys first: the config never names a key file that is not there yet.
  for (const { file, content, mode } of targets) await options.write(file, content, mode);
  return { written: targets.map(({ file }) => file), existing };
}
