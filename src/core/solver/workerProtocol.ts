/**
 * Messages between the extension (or CLI) and the GLPK worker thread. Pure types: the worker
 * itself lives in src/node because it runs glpk.js's synchronous solve off the main thread.
 */

/** A linear or mixed-integer program in glpk.js's JSON form. */
export interface LinearProgram {
  name: string;
  objective: { direction: 'min' | 'max'; name: string; vars: Term[] };
  subjectTo: Constraint[];
  bounds?: VariableBound[];
  binaries?: string[];
  generals?: string[];
}

export interface Term {
  name: string;
  coef: number;
}

/** A row `lb <= sum(vars) <= ub`; `upTo`, `atLeast` and `equal` say which sides apply. */
export interface Constraint {
  name: string;
  vars: Term[];
  bound: RowBound;
}

export type RowBound =
  | { kind: 'upTo'; ub: number }
  | { kind: 'atLeast'; lb: number }
  | { kind: 'between'; lb: number; ub: number }
  | { kind: 'equal'; value: number };

export interface VariableBound {
  name: string;
  bound: RowBound | { kind: 'free' };
}

export interface SolveOptions {
  /** GLPK's own time limit; the worker is also terminated 2 s after it. */
  timeLimitSeconds: number;
  /** Relative MIP gap at which GLPK may stop; 0 asks for proven optimality. */
  mipGap: number;
}

export type SolveStatus = 'optimal' | 'feasible' | 'infeasible' | 'unbounded' | 'undefined';

export interface SolveResult {
  status: SolveStatus;
  objective: number;
  values: Record<string, number>;
  solveMs: number;
}

/** Parent -> worker. */
export type WorkerRequest = { kind: 'solve'; id: number; program: LinearProgram; options: SolveOptions };

/** Worker -> parent: `ready` once GLPK is loaded, then one `solved` or `failed` per request. */
export type WorkerResponse =
  | { kind: 'ready'; glpkVersion: string; loadMs: number }
  | { kind: 'solved'; id: number; result: SolveResult }
  | { kind: 'failed'; id: number | null; message: string };

/** GLPK's numeric status codes (glpk.h) mapped to what a user is told. */
export function describeGlpkStatus(code: number): SolveStatus {
  switch (code) {
    case 5:
      return 'optimal';
    case 2:
      return 'feasible';
    case 3:
    case 4:
      return 'infeasible';
    case 6:
      return 'unbounded';
    default:
      return 'undefined';
  }
}
