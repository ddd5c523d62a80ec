/** jose as golive uses it: signing and verifying, bundled, loaded on first use. */
export type Jose = typeof import('./jose-parts.js');

let loading: Promise<Jose> | undefined;

/** Loads jose's signing and verifying once; later calls get the same module. */
export function loadJose(): Promise<Jose> {
  loading ??= import('./jose-parts.js');
  return loading;
}
