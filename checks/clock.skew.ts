import { ASSERTION_LIFETIME_SECONDS } from '../src/oauth/lifetime.js';
import { defineCheck, pass } from '../src/pipeline/check.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import { THREDD } from '../src/profiles/thredd.js';
import networkTokenEndpoint from './network.token-endpoint.js';

/** Over this, tokens and assertions start to be judged by a clock that disagrees. */
const WARN_SECONDS = 30;
/** golive's assertions live ASSERTION_LIFETIME_SECONDS; the platform accepts an `exp` at most this far ahead of its clock. */
const PLATFORM_MAX = THREDD.assertionMaxLifetimeSeconds;
/** This machine behind the server by this much: golive's assertions have expired by the server's clock when they arrive. */
const FAIL_BEHIND_SECONDS = ASSERTION_LIFETIME_SECONDS;
/** This machine ahead by more than this: golive's assertions expire further ahead than the platform accepts. */
const FAIL_AHEAD_SECONDS = PLATFORM_MAX - ASSERTION_LIFETIME_SECONDS;

/** How far the local clock is off the token host's `Date`, and which way. */
interface Skew {
  seconds: number;
  direction: 'ahead of' | 'behind';
  date: string;
}

const off = ({ seconds, direction, date }: Skew) => `This machine's clock is ${seconds} s ${direction} the token host's (${date})`;

function findings() {
  return {
    'clock-skew-too-large': {
      message: (skew: Skew) =>
        skew.direction === 'behind'
          ? `${off(skew)}: the client assertions golive sends live ${ASSERTION_LIFETIME_SECONDS} s, so by the server's clock they have expired before they arrive.`
          : `${off(skew)}: by the server's clock the client assertions golive sends expire ${skew.seconds + ASSERTION_LIFETIME_SECONDS} s ahead (they live ${ASSERTION_LIFETIME_SECONDS} s), beyond the ${PLATFORM_MAX} s the platform accepts.`,
      hint: () => 'Synchronise the clock with NTP (e.g. `timedatectl set-ntp true` or `chronyc makestep`), then rerun.',
    },
    'clock-skew': {
      message: (skew: Skew & { authMethod: string }) => {
        if (skew.authMethod !== 'private_key_jwt') {
          return `${off(skew)}. A ${skew.authMethod} client sends no client assertion, so its token request does not depend on the clock.`;
        }
        return skew.direction === 'behind'
          ? `${off(skew)}: the client assertions golive sends live ${ASSERTION_LIFETIME_SECONDS} s, so they arrive with about ${ASSERTION_LIFETIME_SECONDS - skew.seconds} s left by the server's clock.`
          : `${off(skew)}: by the server's clock the client assertions golive sends are issued ${skew.seconds} s in the future, which a strict platform refuses.`;
      },
      hint: () => "Synchronise the clock with NTP before go-live: tokens and assertions are judged by the server's clock.",
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

/** Whether golive's client assertions cannot be valid by the server's clock. */
function assertionsRefused({ seconds, direction }: Skew): boolean {
  return direction === 'behind' ? seconds >= FAIL_BEHIND_SECONDS : seconds > FAIL_AHEAD_SECONDS;
}

export default defineCheck({
  id: 'clock.skew',
  title: 'Local clock agrees with the server',
  needs: [networkTokenEndpoint],
  online: true,
  explain: {
    verifies: `The local clock against the token host's \`Date\` header (one-second resolution): a warning over ${WARN_SECONDS} s. For private_key_jwt a failure when the client assertions golive sends (they live ${ASSERTION_LIFETIME_SECONDS} s) cannot be valid by the server's clock: this machine ${FAIL_BEHIND_SECONDS} s or more behind (they expire before they arrive), or more than ${FAIL_AHEAD_SECONDS} s ahead (their \`exp\` lies beyond the ${PLATFORM_MAX} s the platform accepts). A client_secret_* client sends no assertion: for it a skew only warns.`,
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
    const { probe, config } = deps['network.token-endpoint'];
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
    const { authMethod } = config.client;
    if (authMethod === 'private_key_jwt' && assertionsRefused(skew)) return finding.fail('clock-skew-too-large', skew, evidence);
    if (skew.seconds > WARN_SECONDS) return finding.warn('clock-skew', { ...skew, authMethod }, evidence, output);
    return pass(output, evidence, `within ${Math.max(1, skew.seconds)} s of the token host`);
  },
});
