import { defineCheck, pass } from '../src/pipeline/check.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import { THREDD } from '../src/profiles/thredd.js';
import networkTokenEndpoint from './network.token-endpoint.js';

/** Over this, tokens and assertions start to be judged by a clock that disagrees. */
const WARN_SECONDS = 30;

/** How far the local clock is off the token host's `Date`, and which way. */
interface Skew {
  seconds: number;
  direction: 'ahead of' | 'behind';
  date: string;
}

function findings() {
  return {
    'clock-skew-too-large': {
      message: ({ seconds, direction, date }: Skew) =>
        `This machine's clock is ${seconds} s ${direction} the token host's (${date}); client assertions live at most ${THREDD.assertionMaxLifetimeSeconds} s, so they will be rejected as expired or not yet valid.`,
      hint: () => 'Synchronise the clock with NTP (e.g. `timedatectl set-ntp true` or `chronyc makestep`), then rerun.',
    },
    'clock-skew': {
      message: ({ seconds, direction, date }: Skew) => `This machine's clock is ${seconds} s ${direction} the token host's (${date}).`,
      hint: () => "Synchronise the clock with NTP before go-live: tokens and assertions are judged by the server's clock.",
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

export default defineCheck({
  id: 'clock.skew',
  title: 'Local clock agrees with the server',
  needs: [networkTokenEndpoint],
  online: true,
  explain: {
    verifies: `The local clock against the token host's \`Date\` header (one-second resolution): a warning over 30 s, a failure over the assertion lifetime (${THREDD.assertionMaxLifetimeSeconds} s), since the platform then sees every assertion as not yet valid or expired.`,
    causes: [
      'Time synchronisation (NTP, chrony, systemd-timesyncd) is off or blocked on this VM or container host.',
      'A laptop or WSL2 VM resumed from sleep with a stale clock.',
      'The hardware clock is set to local time while the OS treats it as UTC (hours of skew).',
      'A proxy rewrote or cached the `Date` header (then the skew is not real: check against another source).',
    ],
    fixes: [
      'Linux: `timedatectl status` should say "System clock synchronized: yes"; force a step with `sudo chronyc makestep`.',
      'WSL2: `sudo hwclock -s`, or `wsl --shutdown` from Windows; Windows: `w32tm /resync`; macOS: `sudo sntp -sS time.apple.com`.',
      'Containers use the host clock: fix the host.',
      'Rerun with `golive check --only clock`.',
    ],
    seeAlso: ['token.request', 'network.token-endpoint'],
  },
  run(ctx, deps) {
    const { probe } = deps['network.token-endpoint'];
    const date = probe.http?.date;
    const server = date ? Date.parse(date) : Number.NaN;
    if (Number.isNaN(server)) {
      return {
        status: 'skip',
        // Nothing to compare with: the check does not apply to this server (the token request proves the clock by itself).
        skipReason: 'not-applicable',
        notApplicable: true,
        message: `the token host sent no usable Date header${date ? ` ("${date}")` : ''}, so the clock cannot be compared`,
      };
    }
    const local = ctx.now();
    const skewMs = local - server;
    const evidence = { serverDate: date, localTime: new Date(local).toISOString(), skewMs };
    const output = { skewMs, serverDate: date! };
    // The Date header has whole seconds: a difference under a second is noise.
    const skew: Skew = { seconds: Math.abs(Math.trunc(skewMs / 1000)), direction: skewMs > 0 ? 'ahead of' : 'behind', date: date! };
    if (skew.seconds > THREDD.assertionMaxLifetimeSeconds) return finding.fail('clock-skew-too-large', skew, evidence);
    if (skew.seconds > WARN_SECONDS) return finding.warn('clock-skew', skew, evidence, output);
    return pass(output, evidence, `within ${Math.max(1, skew.seconds)} s of the token host`);
  },
});
