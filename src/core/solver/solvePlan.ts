/**
 * The one entry point from a problem's text to a plan, used by the CLI and the workbench alike:
 * read the JSON, tell a provisioning problem (models with a demand) from a packing problem (models
 * with memory or a model id), validate it, then solve it with the given GLPK runner.
 */
import { errorMessage } from '../errors.ts';
import type { Result } from '../result.ts';
import type { SuggestOptions } from '../sizing/suggest.ts';
import { solvePacking, type PackingResult, type SolveProgram } from './packing.ts';
import { parsePackingProblem, type PackingProblem } from './problem.ts';
import {
  isProvisioning,
  parseProvisioningProblem,
  solveProvisioning,
  type ProvisioningProblem,
  type ProvisioningResult,
} from './provisioning.ts';

export type PlanProblem =
  { kind: 'packing'; problem: PackingProblem } | { kind: 'provisioning'; problem: ProvisioningProblem };

export type PlanOutcome =
  | { kind: 'packing'; problem: PackingProblem; result: PackingResult }
  | { kind: 'provisioning'; problem: ProvisioningProblem; result: ProvisioningResult };

/** The problem in `text`, or what is wrong with it (for the user: exit 2 in the CLI, an error in the page). */
export function parsePlanProblem(text: string): Result<PlanProblem> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the input in its message: keep it short.
    return { ok: false, message: `The problem is not JSON: ${errorMessage(error).slice(0, 200)}` };
  }
  if (isProvisioning(raw)) {
    const parsed = parseProvisioningProblem(raw);
    return parsed.ok
      ? { ok: true, value: { kind: 'provisioning', problem: parsed.value } }
      : { ok: false, message: `The problem: ${parsed.message}` };
  }
  const parsed = parsePackingProblem(raw);
  return parsed.ok
    ? { ok: true, value: { kind: 'packing', problem: parsed.value } }
    : { ok: false, message: `The problem: ${parsed.message}` };
}

/** Solves a parsed problem; every failure of the solver is a status in the result, never a throw. */
export async function solvePlan(
  plan: PlanProblem,
  solve: SolveProgram,
  timeLimitSeconds: number,
  /** For provisioning: the engine and the workspace's calibration behind per-replica throughput. */
  options: SuggestOptions = {},
  /** Awaited between models while provisioning sizes them: the editor passes one that yields to its event loop. */
  pause?: () => Promise<void>,
): Promise<PlanOutcome> {
  if (plan.kind === 'provisioning')
    return { ...plan, result: await solveProvisioning(plan.problem, solve, timeLimitSeconds, options, pause) };
  return { ...plan, result: await solvePacking(plan.problem, solve, { timeLimitSeconds, mipGap: 0 }) };
}
