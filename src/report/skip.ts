import type { SkipReason } from '../pipeline/check.js';
import type { CheckReport } from './types.js';

/**
 * Why a skipped check did not run. Reports from golive before 0.2 carry
 * no `skipReason`: for those (read back by `golive report`) the reason is
 * recovered from the runner's fixed wording, once, here.
 */
export function skipReasonOf(check: CheckReport): SkipReason | undefined {
  if (check.status !== 'skip') return undefined;
  if (check.skipReason !== undefined) return check.skipReason;
  const message = check.message ?? '';
  if (message.startsWith('not applicable')) return 'not-applicable';
  if (message.startsWith('--offline')) return 'offline';
  if (message.startsWith('not selected by --only') || message.startsWith('skipped by --skip')) return 'not-selected';
  if (message.startsWith('needs ')) return 'need-failed';
  return undefined;
}
