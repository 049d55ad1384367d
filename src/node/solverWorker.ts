/**
 * Worker-thread entry (bundled to dist/solver-worker.js). glpk.js's Node build solves
 * synchronously, so it runs here and never on the extension host's event loop.
 * The wasm is loaded from next to this bundle (dist/glpk.wasm), never from the network.
 */
import { parentPort } from 'node:worker_threads';
import GLPK, { type GLPK as Glpk, type LP } from 'glpk.js/node';
import {
  describeGlpkStatus,
  type LinearProgram,
  type RowBound,
  type VariableBound,
  type WorkerRequest,
  type WorkerResponse,
} from '../core/solver/workerProtocol.ts';
import { errorMessage } from '../core/errors.ts';

function post(message: WorkerResponse): void {
  parentPort?.postMessage(message);
}

function toGlpkBound(glpk: Glpk, bound: RowBound | { kind: 'free' }): { type: number; lb: number; ub: number } {
  switch (bound.kind) {
    case 'upTo':
      return { type: glpk.GLP_UP, lb: 0, ub: bound.ub };
    case 'atLeast':
      return { type: glpk.GLP_LO, lb: bound.lb, ub: 0 };
    case 'between':
      return { type: glpk.GLP_DB, lb: bound.lb, ub: bound.ub };
    case 'equal':
      return { type: glpk.GLP_FX, lb: bound.value, ub: bound.value };
    case 'free':
      return { type: glpk.GLP_FR, lb: 0, ub: 0 };
  }
}

function toGlpkProgram(glpk: Glpk, program: LinearProgram): LP {
  return {
    name: program.name,
    objective: {
      direction: program.objective.direction === 'max' ? glpk.GLP_MAX : glpk.GLP_MIN,
      name: program.objective.name,
      vars: program.objective.vars,
    },
    subjectTo: program.subjectTo.map((row) => ({ name: row.name, vars: row.vars, bnds: toGlpkBound(glpk, row.bound) })),
    bounds: program.bounds?.map((b: VariableBound) => ({ name: b.name, ...toGlpkBound(glpk, b.bound) })),
    binaries: program.binaries,
    generals: program.generals,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const glpk = await GLPK();
  post({ kind: 'ready', glpkVersion: glpk.version, loadMs: performance.now() - started });
  parentPort?.on('message', (request: WorkerRequest) => {
    try {
      const solved = glpk.solve(toGlpkProgram(glpk, request.program), {
        // GLP_MSG_OFF: otherwise GLPK prints to the extension host's stdout.
        msglev: glpk.GLP_MSG_OFF,
        // presol must stay on: without it glpk.js returns UNDEF and no solution for MIPs.
        presol: true,
        // GLPK keeps the limit as an int of milliseconds: a day at most, so it cannot wrap round.
        tmlim: Math.min(86_400, Math.max(0.001, request.options.timeLimitSeconds)),
        mipgap: request.options.mipGap,
      });
      post({
        kind: 'solved',
        id: request.id,
        result: {
          status: describeGlpkStatus(solved.result.status),
          objective: solved.result.z,
          values: solved.result.vars,
          solveMs: solved.time * 1000,
        },
      });
    } catch (error) {
      post({ kind: 'failed', id: request.id, message: errorMessage(error) });
    }
  });
}

main().catch((error: unknown) => {
  post({
    kind: 'failed',
    id: null,
    message: `GLPK could not be loaded: ${errorMessage(error)}`,
  });
});
