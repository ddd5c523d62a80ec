const MAIN = `golive — will this API client configuration work against the platform, and if not, why?

Usage: golive <command> [options]

Commands:
  check [configs..]          run the checks (default config: ./golive.yaml)
  diff <uat> <prod>          migration review of a UAT config and its Production twin (--go-live DATE)
  report <report.json>       render a received JSON report for a person
  init [file]                write a commented starter config (or --from-postman ENV.json)
  schema [config|report]     print a JSON Schema
  explain <check-id>         what a check verifies, common causes, fixes (--list for all)
  sandbox                    start a local Thredd-like platform and write configs for it
  demo                       sandbox + check in one process: the first thing to try

Examples:
  golive demo                                      see a passing check and a diagnosed fault
  golive init prod.yaml --environment production   start a config
  golive check prod.yaml                           the full check before go-live
  golive check --offline config/*.yaml --junit out/junit.xml   a CI gate without secrets
  golive check prod.yaml --json report.json        a report to send to support
  golive diff uat.yaml prod.yaml                   before asking for Production go-live
  golive report report.json                        read a report a customer sent
  golive explain jwks.signing-key

Exit codes: 0 ready (warnings allowed unless --strict), 1 a check failed,
2 usage error, 3 internal error (rerun with --debug).
Run "golive <command> --help" for a command's options.
`;

const COMMANDS: Record<string, string> = {
  check: `Usage: golive check [configs..] [options]

Runs the checks on each config (default: ./golive.yaml) and reports pass/fail.

Options:
  --offline                  no network: config and credential checks only
  --only ID[,ID..]           run these checks (id or prefix, e.g. signing) and what they need
  --skip ID[,ID..]           do not run these checks (nor what needs them)
  --format FORMAT            stdout: pretty|plain|json|junit|markdown|github
                             (default: pretty on a terminal, plain otherwise)
  --json FILE                write the JSON report (for support triage)
  --junit FILE               write a JUnit XML report (for CI)
  --markdown FILE            write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)
  --sarif FILE               write SARIF 2.1.0 (GitHub code scanning annotates the config)
                             (an artifact never replaces a file the run reads; links,
                             FIFOs and devices such as /dev/stdout are written through)
  --curl                     after the report, a curl command per network step on stderr
                             (secrets as $VARS)
  --env-file FILE            load variables before interpolation (repeatable)
  --timeout MS               per network step (default 10000)
  --strict                   warnings fail the run
  --debug                    show internal error details (secrets stay redacted)
  -h, --help                 this help

Examples:
  golive check prod.yaml
  golive check --offline config/*.yaml --junit out/junit.xml
  golive check uat.yaml --env-file .env --only config,signing
  golive check prod.yaml --format json > report.json

Exit codes: 0 ready, 1 a check failed, 2 usage error, 3 internal error.
`,
  schema: `Usage: golive schema [config|report]

Prints the JSON Schema of the config file (default) or of the JSON report.
For editor completion, add to the top of a YAML config:
  # yaml-language-server: $schema=./node_modules/golive/schemas/config.schema.json
`,
  init: `Usage: golive init [file] [options]

Writes a commented starter config (default: ./golive.yaml). Never overwrites
an existing file without --force. Secrets are written as \${VARS}, never inline.

Variables: uat reads THREDD_ORG_ID, THREDD_CLIENT_ID, THREDD_CLIENT_SECRET,
SIGNING_KEY_PASSPHRASE and TRANSPORT_KEY_PASSPHRASE; production reads its own,
THREDD_PROD_ORG_ID, THREDD_PROD_CLIENT_ID, THREDD_PROD_CLIENT_SECRET,
PROD_SIGNING_KEY_PASSPHRASE and PROD_TRANSPORT_KEY_PASSPHRASE: golive diff reads
both configs in one environment, so shared names would give both the same values.

Options:
  --auth-method METHOD       private_key_jwt (default) | client_secret_post | client_secret_basic
  --connectivity tls|mtls    default tls
  --environment uat|production   default uat
  --from-postman FILE        import a Postman environment (or collection) export: maps its
                             variables, moves key material into certs/<environment>/ (keys 0600),
                             writes secrets as the variables above; lists every inference,
                             guess and unknown variable (names only). --auth-method,
                             --connectivity and --environment override what it infers
  --force                    overwrite existing files
  --stdout                   print the config instead of writing it (not with --from-postman)

Examples:
  golive init prod.yaml --environment production --connectivity mtls
  golive init uat.yaml --from-postman "Thredd UAT.postman_environment.json"
`,
  explain: `Usage: golive explain <check-id> | --list

What a check verifies, the common causes of a failure and how to fix them.

Examples:
  golive explain token.request
  golive explain --list
`,
};

export function mainHelp(): string {
  return MAIN;
}

export function helpFor(command: string): string {
  return COMMANDS[command] ?? MAIN;
}

