// Errors that reach a user. Library code throws these; only the edges (the CLI's bin, the server's
// startup) print them and choose an exit code. Anything else that escapes is a bug.

/** Exit codes shared by every command, documented in the README. */
export const EXIT = { ok: 0, findings: 1, input: 2 } as const;

/** Bad input from the user: a config file, a manifest, a flag. Exit code 2, one precise message. */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly exitCode = EXIT.input;
  constructor(
    message: string,
    /** Where the bad input is, when it is a file: `config.yaml`, `config.yaml:12:5`. */
    readonly location?: string,
  ) {
    super(location ? `${location}: ${message}` : message);
  }
}
