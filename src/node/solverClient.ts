/**
 * Runs GLPK in a worker thread with a watchdog. Used by the extension and the CLI alike.
 * One solve at a time; a solve that overruns its time limit by 2 s terminates the worker,
 * and the next solve starts a fresh one (docs/solver-notes.md: tmlim does not cover preprocessing).
 */
import { Worker } from 'node:worker_threads';
import type {
  LinearProgram,
  SolveOptions,
  SolveResult,
  WorkerRequest,
  WorkerResponse,
} from '../core/solver/workerProtocol.ts';
import { SolverSizeError, SolverTimeoutError } from '../core/solver/status.ts';
import { timerMs } from './runFile.ts';

export { SolverSizeError, SolverTimeoutError };

export const WATCHDOG_GRACE_MS = 2000;

export interface SolverInfo {
  glpkVersion: string;
  loadMs: number;
}

/** Largest program a solve accepts: beyond this GLPK's memory and time in a worker are not worth it. */
export const SOLVER_LIMITS = { variables: 200_000, constraints: 200_000, nonZeros: 2_000_000 } as const;

/** Checks a program against SOLVER_LIMITS before it is sent to the worker. */
export function checkProgramSize(program: LinearProgram): void {
  const variables = new Set<string>();
  let nonZeros = 0;
  for (const row of program.subjectTo) {
    nonZeros += row.vars.length;
    for (const term of row.vars) variables.add(term.name);
  }
  for (const term of program.objective.vars) variables.add(term.name);
  const problems = [
    variables.size > SOLVER_LIMITS.variables ? `${variables.size} variables (at most ${SOLVER_LIMITS.variables})` : '',
    program.subjectTo.length > SOLVER_LIMITS.constraints
      ? `${program.subjectTo.length} constraints (at most ${SOLVER_LIMITS.constraints})`
      : '',
    nonZeros > SOLVER_LIMITS.nonZeros ? `${nonZeros} coefficients (at most ${SOLVER_LIMITS.nonZeros})` : '',
  ].filter(Boolean);
  if (problems.length)
    throw new SolverSizeError(
      `The problem is too large to solve here: ${problems.join(', ')}. Group identical GPUs by type or split the problem.`,
    );
}

interface Pending {
  id: number;
  resolve(result: SolveResult): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class GlpkWorkerClient {
  private worker: Worker | undefined;
  private ready: Promise<SolverInfo> | undefined;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  /** @param workerPath absolute path of dist/solver-worker.js */
  constructor(private readonly workerPath: string) {}

  /** Starts the worker (if needed) and resolves once GLPK's wasm is instantiated. */
  start(): Promise<SolverInfo> {
    if (this.ready) return this.ready;
    const worker = new Worker(this.workerPath);
    this.worker = worker;
    this.ready = new Promise<SolverInfo>((resolve, reject) => {
      worker.on('message', (message: WorkerResponse) => {
        if (message.kind === 'ready') resolve({ glpkVersion: message.glpkVersion, loadMs: message.loadMs });
        else if (message.kind === 'failed' && message.id === null) reject(new Error(message.message));
        else this.settle(message);
      });
      worker.on('error', (error) => {
        reject(error);
        this.failPending(error);
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.reset();
        const error = new Error(`The solver worker stopped (exit code ${code}).`);
        reject(error);
        this.failPending(error);
      });
    });
    return this.ready;
  }

  /** Solves one program; calls are serialized so each gets the worker to itself. */
  solve(program: LinearProgram, options: SolveOptions): Promise<SolveResult> {
    const run = this.queue.then(() => this.solveNow(program, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  dispose(): void {
    const worker = this.worker;
    this.reset();
    this.failPending(new Error('The solver was closed.'));
    void worker?.terminate();
  }

  private async solveNow(program: LinearProgram, options: SolveOptions): Promise<SolveResult> {
    checkProgramSize(program);
    await this.start();
    const worker = this.worker;
    if (!worker) throw new Error('The solver worker is not running.');
    const id = this.nextId++;
    return new Promise<SolveResult>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.pending = undefined;
          this.reset();
          void worker.terminate();
          reject(new SolverTimeoutError(options.timeLimitSeconds));
        },
        timerMs(options.timeLimitSeconds * 1000 + WATCHDOG_GRACE_MS),
      );
      this.pending = { id, resolve, reject, timer };
      const request: WorkerRequest = { kind: 'solve', id, program, options };
      worker.postMessage(request);
    });
  }

  private settle(message: WorkerResponse): void {
    const pending = this.pending;
    if (!pending || message.kind === 'ready' || message.id !== pending.id) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (message.kind === 'solved') pending.resolve(message.result);
    else pending.reject(new Error(message.message));
  }

  private failPending(error: Error): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.reject(error);
  }

  private reset(): void {
    this.worker = undefined;
    this.ready = undefined;
  }
}
