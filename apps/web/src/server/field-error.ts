/**
 * Thrown inside a config transaction to abort it with a message for one form
 * field (or "_form"); the action catches it and returns it as a FormState.
 */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
