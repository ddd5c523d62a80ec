/** A mistake in how golive was called: exit code 2, with the command's help pointer. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT = { ready: 0, failed: 1, usage: 2, internal: 3 } as const;
