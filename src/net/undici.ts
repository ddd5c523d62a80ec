/** undici as golive uses it: Agent and request(), bundled, loaded on first use. */
export type Undici = typeof import('./undici-parts.js');

let loading: Promise<Undici> | undefined;

/** Loads golive's HTTP client (about 360 KB of code) once; later calls get the same module. */
export function loadUndici(): Promise<Undici> {
  loading ??= import('./undici-parts.js');
  return loading;
}
