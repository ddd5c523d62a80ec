/**
 * The one place the fuzz suite names golive's artifact writer: when it is
 * renamed, moved or given another signature, adapt this file only.
 */
import { writeFileAtomic } from '../../../src/cli/io.js';

export const WRITER = 'writeFileAtomic() in src/cli/io.ts';

/** Writes `content` to the absolute path `file`, asking for `mode` on a file it creates. */
export function writeArtifact(file: string, content: string, mode: number): Promise<void> {
  return writeFileAtomic(file, content, mode);
}
