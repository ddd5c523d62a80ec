import { createRequire } from 'node:module';

/**
 * The sandbox's server stack: optional peer dependencies of golive, so a
 * plain `npm install golive` (all `golive check` needs) leaves them out.
 * Every import of them goes through this module, which names what is
 * missing and how to install it.
 */
export const SANDBOX_STACK = [
  { name: 'oidc-provider', major: '9' },
  { name: '@peculiar/x509', major: '2' },
  { name: 'reflect-metadata', major: '0.2' },
] as const;

export type SandboxPackage = (typeof SANDBOX_STACK)[number]['name'];

export const SANDBOX_STACK_INSTALL = `npm install --save-dev ${SANDBOX_STACK.map(({ name, major }) => `${name}@${major}`).join(' ')}`;

function listed(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** The sandbox cannot start: packages of its stack are not installed. Exit 2, the message is the whole story. */
export class SandboxStackMissing extends Error {
  override readonly name = 'SandboxStackMissing';
  readonly missing: readonly SandboxPackage[];

  constructor(missing: readonly SandboxPackage[]) {
    super(
      `golive sandbox and golive demo need ${listed(SANDBOX_STACK.map(({ name }) => name))}, which a plain \`npm install golive\` leaves out; ` +
        `missing here: ${listed(missing)}. Install them beside golive: ${SANDBOX_STACK_INSTALL}`,
    );
    this.missing = missing;
  }
}

const resolver = createRequire(import.meta.url);

/** Whether the package can be found from golive's own folder (resolved, not loaded: @peculiar/x509 alone takes 0.2 s to load). */
function installed(name: SandboxPackage): boolean {
  try {
    resolver.resolve(name);
    return true;
  } catch (error) {
    // Found but not resolvable for require (e.g. an import-only exports map) is still installed.
    return (error as { code?: unknown }).code !== 'MODULE_NOT_FOUND';
  }
}

/** The stack's packages that are not installed, `known` (one whose import failed) included. */
function missingPackages(known?: SandboxPackage): SandboxPackage[] {
  return SANDBOX_STACK.map(({ name }) => name).filter((name) => name === known || !installed(name));
}

/** Throws SandboxStackMissing, naming every missing package, before the sandbox writes or starts anything. */
export function assertSandboxStack(): void {
  const missing = missingPackages();
  if (missing.length > 0) throw new SandboxStackMissing(missing);
}

/** The import, with "Cannot find package" for this package turned into SandboxStackMissing. */
async function guarded<T>(name: SandboxPackage, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`)) {
      throw new SandboxStackMissing(missingPackages(name));
    }
    throw error;
  }
}

export function importOidcProvider(): Promise<typeof import('oidc-provider')> {
  return guarded('oidc-provider', () => import('oidc-provider'));
}

/** @peculiar/x509, with the Reflect polyfill its dependency injection needs loaded first. */
export async function importX509(): Promise<typeof import('@peculiar/x509')> {
  await guarded('reflect-metadata', () => import('reflect-metadata'));
  return guarded('@peculiar/x509', () => import('@peculiar/x509'));
}
