import { defineCheck, fail, pass, warn } from '../src/pipeline/check.js';
import { THREDD } from '../src/profiles/thredd.js';
import networkTokenEndpoint from './network.token-endpoint.js';

/** Over this, tokens and assertions start to be judged by a clock that disagrees. */
const WARN_SECONDS = 30;

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
        message: `the token host sent no usable Date header${date ? ` ("${date}")` : ''}, so the clock cannot be compared`,
      };
    }
    const local = ctx.now();
    // The Date header has whole seconds: a difference under a second is noise.
    const skewMs = local - server;
    const seconds = Math.trunc(skewMs / 1000);
    const evidence = { serverDate: date, localTime: new Date(local).toISOString(), skewMs };
    const output = { skewMs, serverDate: date! };
    const direction = skewMs > 0 ? 'ahead of' : 'behind';
    const lifetime = THREDD.assertionMaxLifetimeSeconds;
    if (Math.abs(seconds) > lifetime) {
      return fail({
        message: `This machine's clock is ${Math.abs(seconds)} s ${direction} the token host's (${date}); client assertions live at most ${lifetime} s, so they will be rejected as expired or not yet valid.`,
        hint: 'Synchronise the clock with NTP (e.g. `timedatectl set-ntp true` or `chronyc makestep`), then rerun.',
        evidence,
      });
    }
    if (Math.abs(seconds) > WARN_SECONDS) {
      return warn(
        {
          message: `This machine's clock is ${Math.abs(seconds)} s ${direction} the token host's (${date}).`,
          hint: 'Synchronise the clock with NTP before go-live: tokens and assertions are judged by the server\'s clock.',
          evidence,
        },
        output,
      );
    }
    return pass(output, evidence, `within ${Math.max(1, Math.abs(seconds))} s of the token host`);
  },
});
