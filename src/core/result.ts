/**
 * The one way core code reports a failure: as a value, never a throw. A parser, a validator or a
 * solver returns `Result<T>`; the edge (CLI, editor) turns `message` into an exit code or a
 * diagnostic. `message` is written for the user and names what was wrong with the input.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; message: string };
