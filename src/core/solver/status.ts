/**
 * The one vocabulary for how a plan ended, shared by packing, provisioning, the CLI and the
 * workbench; and the typed failures a solver reports, so no caller reads a message to tell them apart.
 */
export type PlanStatus = 'optimal' | 'feasible' | 'infeasible' | 'timeout' | 'error' | 'cancelled';

/** Every status, as a record so a status added to the type without this list fails the type check. */
export const PLAN_STATUSES: Record<PlanStatus, true> = {
  optimal: true,
  feasible: true,
  infeasible: true,
  timeout: true,
  error: true,
  cancelled: true,
};

/** GLPK (or its worker's watchdog) stopped at the time limit without an answer. */
export class SolverTimeoutError extends Error {
  constructor(readonly limitSeconds: number) {
    super(`GLPK did not finish within its ${limitSeconds} s time limit; the solver was stopped.`);
    this.name = 'SolverTimeoutError';
  }
}

/**
 * Whether an error is a solver timeout, by its name rather than `instanceof`: the extension's two
 * bundles (dist/extension.js, which runs the worker, and dist/lazy.js, which plans) each hold a copy
 * of this class, so a timeout thrown by one is not an instance of the other's.
 */
export function isSolverTimeout(error: unknown): error is SolverTimeoutError {
  return error instanceof Error && error.name === 'SolverTimeoutError';
}

/** The program is over the sizes a solve accepts; nothing was sent to GLPK. */
export class SolverSizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SolverSizeError';
  }
}
