export type Profile = 'thredd' | 'custom';
export type Environment = 'uat' | 'production';
export type Connectivity = 'tls' | 'mtls';
export type Region = 0 | 1 | 2;
export type AuthMethod = 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt';

/** Where a value sits in the config file (1-based line and column). */
export interface SourceLocation {
  /** Dotted JSON path, e.g. `client.authMethod` or `probe.expectStatus[0]`. */
  path: string;
  line: number;
  column: number;
}

export type ConfigPath = ReadonlyArray<string | number>;

/** The output of config.parse: the document as written, with positions. */
export interface ParsedConfig {
  /** Absolute path of the file. */
  file: string;
  /** The folder relative paths resolve against. */
  dir: string;
  format: 'yaml' | 'json';
  sha256: string;
  /** The plain data, before interpolation. */
  data: unknown;
  /** Where a path's value (or, with `key: true`, its key) sits in the file. */
  locate(path: ConfigPath, options?: { key?: boolean }): SourceLocation | undefined;
}

export interface CredentialFiles {
  /** Absolute path; may be absent when the private key is a PKCS#12 bundle holding the certificate. */
  certificate?: string;
  /** Absolute path: PEM, DER or a .p12/.pfx bundle. */
  privateKey: string;
  passphrase?: string;
}

export interface SigningConfig extends CredentialFiles {
  kid?: string;
  algorithm: string;
  audience?: string;
}

export interface Endpoints {
  token: string;
  jwks: string;
  api: string;
}

/** The output of config.references: interpolated, paths resolved, endpoints derived. */
export interface ResolvedConfig {
  parsed: ParsedConfig;
  profile: Profile;
  environment: Environment;
  connectivity: Connectivity;
  region: Region;
  organisationId: string;
  client: {
    id: string;
    authMethod: AuthMethod;
    secret?: string;
    scopes: string[];
  };
  signing?: SigningConfig;
  transport?: CredentialFiles;
  endpoints: Endpoints;
  /** Which endpoints came from the config rather than the profile. */
  endpointsOverridden: Partial<Record<keyof Endpoints, boolean>>;
  probe: {
    method: string;
    path: string;
    expectStatus: number[];
  };
  http: {
    timeoutMs: number;
    /** Absolute path of extra trust anchors. */
    ca?: string;
    jwksMaxBytes: number;
  };
  expiryWarningDays: number;
  thredd: {
    /** Issuers the config names as Thredd's CAs (`thredd.issuers`), besides those the profile knows. */
    issuers: string[];
  };
}
