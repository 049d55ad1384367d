/**
 * Solving a packing problem: the arc-flow MIP in GLPK, the baselines beside it, the independent
 * validator over every plan, and an honest status.
 */
import { buildArcFlow, decodeArcFlow, units } from './arcFlow.ts';
import { firstFitDecreasing, onePerGpu } from './baselines.ts';
import { placementCost, validatePlacement, type Placement } from './plan.ts';
import type { PackingProblem } from './problem.ts';
import type { LinearProgram, SolveOptions, SolveResult } from './workerProtocol.ts';
import { errorMessage } from '../errors.ts';
import { isSolverTimeout, type PlanStatus } from './status.ts';
import { FLOAT_TOLERANCE } from './tolerance.ts';

export interface BaselineResult {
  costPerHour: number;
  gpusUsed: number;
  placement?: Placement;
}

export interface PackingResult {
  status: Exclude<PlanStatus, 'cancelled'>;
  /** What the status means, with the numbers (the binding constraint when infeasible). */
  message: string;
  costPerHour?: number;
  gpusUsed?: number;
  placement?: Placement;
  greedy?: BaselineResult;
  onePerGpu?: BaselineResult;
  solveMs?: number;
}

/** Runs one program (the GLPK worker in the extension and the CLI; a stub in unit tests). */
export type SolveProgram = (program: LinearProgram, options: SolveOptions) => Promise<SolveResult>;

function baseline(problem: PackingProblem, placement: Placement | undefined): BaselineResult | undefined {
  if (!placement || validatePlacement(problem, placement).length > 0) return undefined;
  return { ...placementCost(problem, placement), placement };
}

/** What stands in for the solver's plan when it has none: the greedy plan, if there is one. */
function greedyNote(greedy: BaselineResult | undefined): string {
  return greedy
    ? 'The first-fit decreasing plan below is the best known.'
    : 'First-fit decreasing found no placement either.';
}

/** A reason a problem has no solution, found by simple counting before or after the solver. */
export function infeasibilityReason(problem: PackingProblem, granularity = 1): string | undefined {
  for (const m of problem.models) {
    const hosts = problem.gpus.filter(
      (g) => units(m.memoryGiB, granularity) * granularity <= g.memoryGiB + FLOAT_TOLERANCE && g.count >= m.tp,
    );
    if (hosts.length === 0)
      return `${m.name} needs ${m.tp} GPU(s) with ${m.memoryGiB} GiB each, and no GPU type has that`;
  }
  const need = problem.models.reduce((sum, m) => sum + m.memoryGiB * m.tp * m.replicas, 0);
  const have = problem.gpus.reduce((sum, g) => sum + g.memoryGiB * g.count, 0);
  if (need > have) return `the models need ${need.toFixed(1)} GiB in all, the pool has ${have.toFixed(1)} GiB`;
  return undefined;
}

export async function solvePacking(
  problem: PackingProblem,
  solve: SolveProgram,
  options: SolveOptions,
  granularity = 1,
): Promise<PackingResult> {
  const greedy = baseline(problem, firstFitDecreasing(problem));
  const single = baseline(problem, onePerGpu(problem));
  const early = infeasibilityReason(problem, granularity);
  if (early) return { status: 'infeasible', message: `No placement exists: ${early}.`, greedy, onePerGpu: single };
  const model = buildArcFlow(problem, granularity);
  let result: SolveResult;
  try {
    result = await solve(model.program, options);
  } catch (error) {
    const message = errorMessage(error);
    const timeout = isSolverTimeout(error);
    return {
      status: timeout ? 'timeout' : 'error',
      message: timeout ? `${message} ${greedyNote(greedy)}` : message,
      greedy,
      onePerGpu: single,
    };
  }
  if (result.status === 'infeasible') {
    return {
      status: 'infeasible',
      message:
        `GLPK proved no placement exists at ${granularity} GiB granularity: the GPUs of each type cannot hold the replicas' shards together. ${greedy ? '' : 'First-fit found none either.'}`.trim(),
      greedy,
      onePerGpu: single,
      solveMs: result.solveMs,
    };
  }
  if (result.status !== 'optimal' && result.status !== 'feasible') {
    return {
      status: 'timeout',
      message: `GLPK stopped without a solution (${result.status}). ${greedyNote(greedy)}`,
      greedy,
      onePerGpu: single,
      solveMs: result.solveMs,
    };
  }
  const placement = decodeArcFlow(problem, model, result.values);
  const errors = placement
    ? validatePlacement(problem, placement)
    : ["the solution could not keep each replica's shards on distinct GPUs"];
  if (!placement || errors.length > 0) {
    return {
      status: 'error',
      message: `The solver's plan failed validation (${errors[0]}); showing the greedy plan instead.`,
      greedy,
      onePerGpu: single,
      solveMs: result.solveMs,
    };
  }
  const cost = placementCost(problem, placement);
  const status: PlanStatus = result.status === 'optimal' ? 'optimal' : 'feasible';
  const saving = greedy
    ? problem.objective === 'gpus'
      ? greedy.gpusUsed - cost.gpusUsed
      : greedy.costPerHour - cost.costPerHour
    : undefined;
  const unit = problem.objective === 'gpus' ? ' GPU(s)' : '/h';
  const savingText =
    saving === undefined
      ? 'first-fit found no placement'
      : saving > FLOAT_TOLERANCE
        ? `${problem.objective === 'gpus' ? saving : `$${saving.toFixed(2)}`}${unit} less than first-fit decreasing`
        : 'the same as first-fit decreasing';
  return {
    status,
    message: `${status === 'optimal' ? 'Proven optimal' : 'Feasible (stopped at the time limit or gap)'}: ${cost.gpusUsed} GPU(s), $${cost.costPerHour.toFixed(2)}/h, ${savingText}.`,
    ...cost,
    placement,
    greedy,
    onePerGpu: single,
    solveMs: result.solveMs,
  };
}
