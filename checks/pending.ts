import { defineCheck } from '../src/pipeline/check.js';
import type { CheckId } from './ids.js';

/**
 * An online check of DESIGN.md that golive does not implement yet. It is
 * registered so every report lists every id, and it says honestly that it
 * did not run: it never passes.
 */
export function pendingCheck<I extends CheckId, const N extends CheckId>(id: I, title: string, needs: readonly N[]) {
  return defineCheck<I, N>({
    id,
    title,
    needs,
    online: true,
    run: () => ({ status: 'skip', message: 'not implemented yet: this golive version does not run online checks' }),
  });
}
