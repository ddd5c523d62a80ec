import path from 'node:path';
import { SECRET_NAME } from '../config/interpolate.js';
import type { ResolvedConfig } from '../config/types.js';
import { CLIENT_ASSERTION_TYPE } from '../oauth/client-auth.js';
import type { CheckReport, RunReport } from '../report/types.js';
import { skipReasonOf } from '../report/skip.js';
import { CHECKS } from '../../checks/index.js';
import jwksFetch from '../../checks/jwks.fetch.js';
import networkApiEndpoint from '../../checks/network.api-endpoint.js';
import networkTokenEndpoint from '../../checks/network.token-endpoint.js';
import probeCall from '../../checks/probe.call.js';
import tokenRequest from '../../checks/token.request.js';
import type { AnyCheck } from '../pipeline/check.js';
import { hasControlCharacters, literal, quoteLiteral, shellWord, variable, type Segment } from './shell.js';


export interface CurlOptions {
  /** The folder the commands are meant to run from: file paths are shown relative to it. */
  cwd: string;
  /** --timeout when given; else the config's http.timeoutMs. */
  timeoutMs?: number;
}

export interface CurlStep {
  /** The check the command reproduces. */
  id: string;
  /** What the step does, in a few words. */
  title: string;
  /** The check's status in the run (`pass`, `fail`…), or `not run: <reason>`. */
  outcome: string;
  /** Comment lines (without `# `): why the command looks the way it does. */
  notes: string[];
  /** Shell lines to run before the command. */
  setup: string[];
  /** The curl command, continued over lines with ` \`. */
  command: string;
  /** Shell variables the step reads: secrets, ACCESS_TOKEN, CLIENT_ASSERTION. */
  variables: string[];
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g;
const SINGLE_VARIABLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}$/;

/** Text safe inside a `#` comment: one line, nothing that acts on a terminal. */
export function commentText(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

function rawValue(data: unknown, field: string): unknown {
  let node = data;
  for (const key of field.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

interface ValueOptions {
  /** The field holds a secret whatever its variable is called (client.secret, passphrases). */
  secret?: boolean;
  /** The shell variable to ask for when the config's own value cannot be shown or named. */
  placeholder: string;
  /** The value is a file path: shown relative to the working folder. */
  file?: boolean;
}

/** Collects, for one step, the words of the command with the variables and notes they imply. */
class StepWriter {
  readonly variables = new Set<string>();
  readonly notes: string[] = [];

  constructor(
    private readonly config: ResolvedConfig,
    private readonly cwd: string,
  ) {}

  /**
   * A config value for the command. Secrets (and values built from a
   * variable named like a secret) are never written out: they become the
   * config's own `${VAR}`, or a placeholder variable with a note.
   */
  value(field: string, resolved: string, options: ValueOptions): Segment {
    const raw = rawValue(this.config.parsed.data, field);
    const names = typeof raw === 'string' ? [...raw.matchAll(VARIABLE)].map((match) => match[1]!) : [];
    const secret = options.secret === true || names.some((name) => SECRET_NAME.test(name));
    if (!secret) {
      const shown = options.file ? this.displayPath(resolved) : resolved;
      if (hasControlCharacters(shown)) return this.placeholder(options.placeholder, `${field} holds control characters`);
      return literal(shown);
    }
    const single = typeof raw === 'string' ? SINGLE_VARIABLE.exec(raw) : null;
    if (single) {
      const name = single[1]!;
      this.variables.add(name);
      if (single[2]) this.notes.push(`${field} falls back to a default written in the config when ${name} is unset or empty: set ${name}.`);
      if (options.file && path.resolve(this.cwd) !== this.config.parsed.dir) {
        this.notes.push(`golive resolves a relative ${field} (${name}) against the config's folder, ${this.displayPath(this.config.parsed.dir)}.`);
      }
      return variable(name);
    }
    const why =
      raw === undefined || raw === ''
        ? `${field} is not set in the config`
        : names.length === 0
          ? `${field} is written in the config itself (better: move it into a variable)`
          : `${field} is built from more than one variable`;
    return this.placeholder(options.placeholder, why);
  }

  private placeholder(name: string, why: string): Segment {
    this.variables.add(name);
    this.notes.push(`${why}: set ${name} to its value.`);
    return variable(name);
  }

  /** Relative to the working folder when inside it (`./certs/x.pem`), else absolute. */
  displayPath(file: string): string {
    const relative = path.relative(this.cwd, file);
    if (relative === '') return '.';
    return relative.startsWith('..') || path.isAbsolute(relative) ? file : `./${relative}`;
  }
}

/** `--cert` splits `file:password` at a colon: escape it (and the backslash) in a file name. */
function certificateFile(segment: Segment): Segment {
  return 'literal' in segment ? literal(segment.literal.replace(/\\/g, '\\\\').replace(/:/g, '\\:')) : segment;
}

function timeoutArgs(config: ResolvedConfig, options: CurlOptions): string[] {
  return ['--max-time', String((options.timeoutMs ?? config.http.timeoutMs) / 1000)];
}

/** http.ca for an https URL (a plain-http JWKS needs no trust anchors). */
function trustArgs(writer: StepWriter, config: ResolvedConfig, url: string): string[][] {
  if (!config.http.ca || !url.startsWith('https:')) return [];
  writer.notes.push(
    "--cacert: golive trusts http.ca in addition to Node's built-in CAs, curl trusts only that file: drop --cacert for a host with a publicly trusted certificate.",
  );
  return [['--cacert', shellWord(writer.value('http.ca', config.http.ca, { placeholder: 'CA_FILE', file: true }))]];
}

/** The mTLS client certificate, as golive presents it on the token and API hosts. */
function clientCertificateArgs(writer: StepWriter, config: ResolvedConfig): string[][] {
  const transport = config.transport;
  if (config.connectivity !== 'mtls' || !transport) return [];
  const key = writer.value('transport.privateKey', transport.privateKey, { placeholder: 'TRANSPORT_KEY_FILE', file: true });
  const pass = transport.passphrase
    ? [['--pass', shellWord(writer.value('transport.passphrase', transport.passphrase, { secret: true, placeholder: 'TRANSPORT_KEY_PASSPHRASE' }))]]
    : [];
  // Without a certificate file, golive takes the certificate from the key's PKCS#12 bundle.
  if (!transport.certificate || /\.(p12|pfx)$/i.test(transport.privateKey)) {
    return [['--cert-type', 'P12', '--cert', shellWord(certificateFile(key))], ...pass];
  }
  const certificate = writer.value('transport.certificate', transport.certificate, { placeholder: 'TRANSPORT_CERT_FILE', file: true });
  return [
    [...(/\.der$/i.test(transport.certificate) ? ['--cert-type', 'DER'] : []), '--cert', shellWord(certificateFile(certificate))],
    [...(/\.der$/i.test(transport.privateKey) ? ['--key-type', 'DER'] : []), '--key', shellWord(key)],
    ...pass,
  ];
}

function command(groups: string[][]): string {
  return groups.filter((group) => group.length > 0).map((group) => group.join(' ')).join(' \\\n  ');
}

function header(name: string, value: Segment[] | string): string[] {
  return ['--header', typeof value === 'string' ? quoteLiteral(`${name}: ${value}`) : shellWord(literal(`${name}: `), ...value)];
}

type Built = Pick<CurlStep, 'title' | 'command'> & { setup?: string[] };

function jwksStep(writer: StepWriter, config: ResolvedConfig, options: CurlOptions): Built {
  const url = writer.value('endpoints.jwks', config.endpoints.jwks, { placeholder: 'JWKS_URL' });
  return {
    title: 'GET the organisation JWKS',
    command: command([
      ['curl', '--http1.1', '--silent', '--show-error', '--include', ...timeoutArgs(config, options)],
      ...trustArgs(writer, config, config.endpoints.jwks),
      header('Accept', 'application/json'),
      [shellWord(url)],
    ]),
  };
}

function connectionStep(writer: StepWriter, config: ResolvedConfig, options: CurlOptions, role: 'token' | 'api'): Built {
  const url = writer.value(`endpoints.${role}`, config.endpoints[role], { placeholder: role === 'token' ? 'TOKEN_URL' : 'API_URL' });
  const mtls = config.connectivity === 'mtls' && config.transport !== undefined;
  writer.notes.push('golive sends a HEAD request to see DNS, TCP and TLS succeed; --verbose shows the handshake and the server certificate.');
  return {
    title: `connect to the ${role === 'token' ? 'token' : 'API'} host over ${mtls ? 'mTLS (with the client certificate)' : 'TLS'}`,
    command: command([
      ['curl', '--http1.1', '--verbose', '--head', ...timeoutArgs(config, options)],
      ...trustArgs(writer, config, config.endpoints[role]),
      ...clientCertificateArgs(writer, config),
      [shellWord(url)],
    ]),
  };
}

interface AssertionFacts {
  alg?: string;
  kid?: string;
  aud?: string;
}

/** What golive put in its assertion, from the report when it got that far, else from the config. */
function assertionFacts(config: ResolvedConfig, check: CheckReport | undefined): AssertionFacts {
  const assertion = check?.evidence?.['assertion'] as { header?: Record<string, unknown>; claims?: Record<string, unknown> } | undefined;
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    alg: text(assertion?.header?.['alg']) ?? config.signing?.algorithm,
    kid: text(assertion?.header?.['kid']) ?? config.signing?.kid,
    aud: text(assertion?.claims?.['aud']) ?? config.signing?.audience ?? config.endpoints.token,
  };
}

function tokenStep(writer: StepWriter, config: ResolvedConfig, options: CurlOptions, check: CheckReport | undefined): Built {
  const url = writer.value('endpoints.token', config.endpoints.token, { placeholder: 'TOKEN_URL' });
  const clientId = writer.value('client.id', config.client.id, { placeholder: 'CLIENT_ID' });
  const form: string[][] = [['--data-urlencode', 'grant_type=client_credentials']];
  if (config.client.scopes.length > 0) form.push(['--data-urlencode', shellWord(literal(`scope=${config.client.scopes.join(' ')}`))]);
  const headers: string[][] = [header('Accept', 'application/json')];
  const setup: string[] = [];
  const method = config.client.authMethod;
  if (method === 'client_secret_post' || method === 'client_secret_basic') {
    const secret = writer.value('client.secret', config.client.secret ?? '', { secret: true, placeholder: 'CLIENT_SECRET' });
    if (method === 'client_secret_post') {
      form.push(['--data-urlencode', shellWord(literal('client_id='), clientId)], ['--data-urlencode', shellWord(literal('client_secret='), secret)]);
    } else {
      writer.notes.push(
        'client_secret_basic form-url-encodes the client id and secret before base64 (RFC 6749 2.3.1), which curl -u does not:',
        'the two differ for a secret with characters other than letters, digits and * - . _ (e.g. + / = % : or a space).',
        'node (which golive runs on) builds the header exactly as golive does.',
      );
      const script =
        'const f = (v) => new URLSearchParams([["", v ?? ""]]).toString().slice(1); ' +
        'process.stdout.write(Buffer.from(f(process.env.GOLIVE_CLIENT_ID) + ":" + f(process.env.GOLIVE_CLIENT_SECRET)).toString("base64"))';
      setup.push(`BASIC_CREDENTIALS=$(GOLIVE_CLIENT_ID=${shellWord(clientId)} GOLIVE_CLIENT_SECRET=${shellWord(secret)} node -e ${quoteLiteral(script)})`);
      headers.push(header('Authorization', [literal('Basic '), variable('BASIC_CREDENTIALS')]));
    }
  } else {
    const facts = assertionFacts(config, check);
    const claims = [
      facts.alg && `alg ${facts.alg}`,
      facts.kid ? `kid ${facts.kid}` : 'the kid the JWKS registers the key under',
      'iss = sub = the client id',
      facts.aud && `aud ${facts.aud}`,
      'a new jti',
      'exp at most 300 s after iat',
    ].filter(Boolean);
    writer.notes.push(
      'curl cannot sign the client assertion: set CLIENT_ASSERTION to a JWT signed with signing.privateKey',
      `(${claims.join(', ')}).`,
      "golive's own assertion (header and claims, never the signature) is in the JSON report: token.request, evidence.assertion.",
    );
    writer.variables.add('CLIENT_ASSERTION');
    form.push(
      ['--data-urlencode', shellWord(literal('client_id='), clientId)],
      ['--data-urlencode', `client_assertion_type=${CLIENT_ASSERTION_TYPE}`],
      ['--data-urlencode', shellWord(literal('client_assertion='), variable('CLIENT_ASSERTION'))],
    );
  }
  return {
    title: `POST the token request (${method} over ${config.connectivity === 'mtls' ? 'mTLS' : 'TLS'})`,
    setup,
    command: command([
      ['curl', '--http1.1', '--silent', '--show-error', '--include', ...timeoutArgs(config, options)],
      ...trustArgs(writer, config, config.endpoints.token),
      ...clientCertificateArgs(writer, config),
      ...headers,
      ...form,
      [shellWord(url)],
    ]),
  };
}

function probeStep(writer: StepWriter, config: ResolvedConfig, options: CurlOptions): Built {
  const api = writer.value('endpoints.api', config.endpoints.api, { placeholder: 'API_URL' });
  const probePath = writer.value('probe.path', config.probe.path, { placeholder: 'PROBE_PATH' });
  const method = config.probe.method.toUpperCase();
  writer.variables.add('ACCESS_TOKEN');
  writer.notes.push('ACCESS_TOKEN: the access_token of the token response above (golive never prints it).');
  if (config.connectivity === 'mtls') writer.notes.push('On mTLS the token is bound to the client certificate: call with the same --cert and --key.');
  return {
    title: `${method} ${config.probe.path} with the access token`,
    command: command([
      ['curl', '--http1.1', '--silent', '--show-error', '--include', ...timeoutArgs(config, options)],
      method === 'GET' ? [] : method === 'HEAD' ? ['--head'] : ['--request', quoteLiteral(method)],
      ...trustArgs(writer, config, config.endpoints.api),
      ...clientCertificateArgs(writer, config),
      header('Authorization', [literal('Bearer '), variable('ACCESS_TOKEN')]),
      header('X-Region', String(config.region)),
      header('Content-Type', 'application/json'),
      header('Accept', 'application/json'),
      [shellWord(api, probePath)],
    ]),
  };
}

/** The check's status, `not run: <reason>`, or undefined when the step was not asked for. */
function outcomeOf(check: CheckReport | undefined): string | undefined {
  if (!check) return undefined;
  if (check.status !== 'skip') return check.internalError ? 'fail (internal error)' : check.status;
  const reason = skipReasonOf(check);
  if (reason === 'not-applicable' || reason === 'not-selected') return undefined;
  return `not run: ${commentText(check.message ?? 'skipped')}`;
}

/** How one network check's request is written as curl. */
type CurlHook = (writer: StepWriter, config: ResolvedConfig, options: CurlOptions, check: CheckReport | undefined) => Built;

/** A curl hook per check that talks to the network; the registry gives their order. */
const HOOKS = new Map<AnyCheck, CurlHook>([
  [jwksFetch, (writer, config, options) => jwksStep(writer, config, options)],
  [networkTokenEndpoint, (writer, config, options) => connectionStep(writer, config, options, 'token')],
  [networkApiEndpoint, (writer, config, options) => connectionStep(writer, config, options, 'api')],
  [tokenRequest, tokenStep],
  [probeCall, (writer, config, options) => probeStep(writer, config, options)],
]);

/** The checks with a curl command, in report order. */
export const NETWORK_STEPS: readonly string[] = CHECKS.filter((check) => HOOKS.has(check)).map((check) => check.id);

/**
 * A curl command for each network step of one run, equivalent to the
 * request golive made (or would make). A pure function of the config the
 * run resolved and the run's report: it prints no secret value, only the
 * names of the variables that hold them.
 */
export function curlSteps(config: ResolvedConfig, run: RunReport, options: CurlOptions): CurlStep[] {
  const steps: CurlStep[] = [];
  // A note that holds for several steps (e.g. about --cacert) is shown at the first.
  const noted = new Set<string>();
  const reported = new Map(run.checks.map((check) => [check.id, check]));
  for (const [check, hook] of CHECKS.flatMap((candidate) => (HOOKS.has(candidate) ? [[candidate, HOOKS.get(candidate)!] as const] : []))) {
    const result = reported.get(check.id);
    const outcome = outcomeOf(result);
    if (outcome === undefined) continue;
    const writer = new StepWriter(config, options.cwd);
    const built = hook(writer, config, options, result);
    steps.push({
      id: check.id,
      title: commentText(built.title),
      outcome,
      notes: writer.notes.filter((note) => !noted.has(note) && noted.add(note)).map(commentText),
      setup: built.setup ?? [],
      command: built.command,
      variables: [...writer.variables],
    });
  }
  return steps;
}

/** One run's steps as shell text: a comment header per step, then its lines. */
export function formatCurlSteps(steps: readonly CurlStep[]): string[] {
  return steps.flatMap((step, index) => [
    `# ${index + 1}/${steps.length} ${step.id} (${step.outcome}): ${step.title}`,
    ...step.notes.map((note) => `#   ${note}`),
    ...step.setup,
    step.command,
    '',
  ]);
}
