/** Regroups the chunks esbuild wrote to outDir (see merge-chunks.mjs). */
export function mergeChunks(outDir: string): Promise<void>;
