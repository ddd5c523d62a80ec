import { describe, expect, it } from 'vitest';
import { assertSandboxStack, importOidcProvider, importX509, SandboxStackMissing } from '../../src/sandbox/stack.js';

// The lean install without the stack is run end to end in test/package/install.test.ts.
describe('the sandbox stack guard', () => {
  it('names the one missing package, then the command that installs the whole stack', () => {
    const error = new SandboxStackMissing(['oidc-provider']);
    expect(error.name).toBe('SandboxStackMissing');
    expect(error.missing).toEqual(['oidc-provider']);
    expect(error.message).toBe(
      'golive sandbox and golive demo need oidc-provider, @peculiar/x509 and reflect-metadata, which a plain `npm install golive` leaves out; ' +
        'missing here: oidc-provider. Install them beside golive: npm install --save-dev oidc-provider@9 @peculiar/x509@2 reflect-metadata@0.2',
    );
  });

  it('names two missing packages with "and"', () => {
    expect(new SandboxStackMissing(['@peculiar/x509', 'reflect-metadata']).message).toContain('missing here: @peculiar/x509 and reflect-metadata.');
  });

  it('passes and loads the stack where it is installed (this repository)', async () => {
    expect(() => assertSandboxStack()).not.toThrow();
    expect(typeof (await importOidcProvider()).default).toBe('function');
    expect(typeof (await importX509()).X509CertificateGenerator.create).toBe('function');
  });
});
