import { CHECK_IDS } from '../../checks/index.js';
import { MIGRATION_IDS } from '../../checks/migration/index.js';
import { selectorCandidates } from '../pipeline/select.js';
import { FAULTS } from '../sandbox/faults.js';
import type { Completer } from './parse.js';

/**
 * What `golive completion` completes beyond yargs' commands, options and
 * choices: check ids and prefixes after --only and --skip (also after a
 * comma), every id after `explain`, fault names after `sandbox --fault`.
 * `words` is the command line being typed, `golive` first, as the
 * completion script passes it.
 */
export function completer(words: readonly string[]): Completer {
  const previous = words.at(-2);
  const command = words[1];
  return (current, done) => {
    const values = valuesFor(previous, command, current);
    if (values === undefined) return false;
    // "config,sig" completes its last item: the earlier ones stay as typed.
    const head = current.slice(0, current.lastIndexOf(',') + 1);
    const typed = current.slice(head.length);
    done(values.filter((value) => value.startsWith(typed)).map((value) => head + value));
    return true;
  };
}

function valuesFor(previous: string | undefined, command: string | undefined, current: string): readonly string[] | undefined {
  if (previous === '--only' || previous === '--skip') return selectorCandidates(CHECK_IDS);
  if (previous === '--fault' && command === 'sandbox') return Object.keys(FAULTS);
  if (command === 'explain' && previous === 'explain' && !current.startsWith('-')) return [...CHECK_IDS, ...MIGRATION_IDS];
  return undefined;
}
