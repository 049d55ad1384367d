/**
 * Provisioning (as in Mélange): each model has a demand (requests/s with typical prompt and
 * output lengths, optional latency targets); choose GPU types, TP and replica counts that meet
 * every demand at least cost, from the sizing engine's per-replica capacity on each GPU type.
 * Mixing GPU types is where the saving is: the result shows the best single-type fleet beside it.
 * A weighted sweep (cost against spare capacity) draws the cost/throughput Pareto front.
 */
import type { ModelArchitecture } from '../catalog/architecture.ts';
import { findGpu, type GpuSpec } from '../catalog/gpus.ts';
import { findModel } from '../catalog/models.ts';
import type { Result } from '../result.ts';
import { evaluateLayout, validTensorParallel, type SuggestOptions, type Workload } from '../sizing/suggest.ts';
import type { SolveProgram } from './packing.ts';
import { badName, defaultContextLength, PROBLEM_LIMITS } from './problem.ts';
import type { LinearProgram, SolveResult, Term } from './workerProtocol.ts';
import { errorMessage } from '../errors.ts';
import { isSolverTimeout, SolverTimeoutError, type PlanStatus } from './status.ts';
import { FLOAT_TOLERANCE } from './tolerance.ts';

export interface ProvisioningModel {
  name: string;
  architecture: ModelArchitecture;
  workload: Workload & { requestsPerSecond: number };
}

export interface ProvisioningPool {
  gpu: GpuSpec;
  /** GPUs available of this type (a cloud: large). */
  count: number;
}

export interface ProvisioningProblem {
  models: ProvisioningModel[];
  pools: ProvisioningPool[];
}

/** One way to run a replica: model m on type t with TP k. */
export interface Candidate {
  model: string;
  gpuType: string;
  tp: number;
  /** Requests/s one replica sustains within the latency targets. */
  requestsPerSecond: number;
  costPerHour: number;
  batch: number;
}

export interface ProvisioningChoice extends Candidate {
  replicas: number;
}

export interface ProvisioningResult {
  status: Exclude<PlanStatus, 'cancelled'>;
  message: string;
  costPerHour?: number;
  choices: ProvisioningChoice[];
  /** The cheapest fleet of a single GPU type, for comparison. */
  homogeneous?: { gpuType: string; costPerHour: number };
  /**
   * Non-dominated points of the weighted sweep, cheapest first: cost against headroom, the mean
   * over models of capacity / demand (1 = exactly the demand, 2 = twice it).
   */
  front: { costPerHour: number; headroom: number }[];
}

const DEFAULT_COUNT = 512;
/** Past these a demand is a typing mistake, and the replica bounds would overflow GLPK's. */
const MAX_REQUESTS_PER_SECOND = 1_000_000;
const MAX_TOKENS = 10_000_000;

/** A problem whose models give "demand" (requests/s) instead of "replicas" asks for provisioning. */
export function isProvisioning(raw: unknown): boolean {
  const models = (raw as { models?: unknown })?.models;
  return Array.isArray(models) && models.some((m) => typeof m === 'object' && m !== null && 'demand' in m);
}

export function parseProvisioningProblem(raw: unknown): Result<ProvisioningProblem> {
  const fail = (message: string): Result<ProvisioningProblem> => ({ ok: false, message });
  const r = raw as { gpus?: unknown; models?: unknown };
  if (typeof raw !== 'object' || raw === null || !Array.isArray(r.gpus) || !Array.isArray(r.models))
    return fail('the problem needs "gpus" and "models" lists');
  if (r.gpus.length > PROBLEM_LIMITS.gpuTypes) return fail(`at most ${PROBLEM_LIMITS.gpuTypes} GPU types`);
  if (r.models.length > PROBLEM_LIMITS.models) return fail(`at most ${PROBLEM_LIMITS.models} models`);
  const pools: ProvisioningPool[] = [];
  for (const [i, g] of (r.gpus as Record<string, unknown>[]).entries()) {
    const gpu = typeof g?.type === 'string' ? findGpu(g.type) : undefined;
    if (!gpu) return fail(`gpus[${i}]: "type" must be a catalog GPU id (h100-sxm, l40s, l4, ...) to know its speed`);
    const count = g.count === undefined ? DEFAULT_COUNT : g.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > 4096)
      return fail(`gpus[${i}] (${gpu.id}): "count" must be a whole number up to 4096`);
    const price = g.costPerHour === undefined ? gpu.pricePerHour : g.costPerHour;
    if (typeof price !== 'number' || !Number.isFinite(price) || !(price >= 0))
      return fail(`gpus[${i}] (${gpu.id}): "costPerHour" must be a number >= 0`);
    if (pools.some((p) => p.gpu.id === gpu.id)) return fail(`gpus[${i}]: type "${gpu.id}" is listed twice`);
    pools.push({ gpu: { ...gpu, pricePerHour: price }, count });
  }
  const models: ProvisioningModel[] = [];
  for (const [i, m] of (r.models as Record<string, unknown>[]).entries()) {
    const name = typeof m?.name === 'string' ? m.name : `models[${i}]`;
    const nameProblem = badName(name);
    if (nameProblem) return fail(`models[${i}]: "name" ${nameProblem}`);
    if (models.some((p) => p.name === name)) return fail(`models[${i}]: name "${name}" is listed twice`);
    const architecture = typeof m?.model === 'string' ? findModel(m.model)?.architecture : undefined;
    if (!architecture) return fail(`${name}: "model" must be a built-in model id to size it`);
    const d = m.demand as Record<string, unknown> | undefined;
    const rps = d?.requestsPerSecond;
    if (typeof rps !== 'number' || !(rps > 0)) return fail(`${name}: "demand.requestsPerSecond" must be positive`);
    if (rps > MAX_REQUESTS_PER_SECOND)
      return fail(`${name}: "demand.requestsPerSecond" must be at most ${MAX_REQUESTS_PER_SECOND}`);
    const num = (v: unknown, fallback: number) => (typeof v === 'number' && v > 0 && v <= MAX_TOKENS ? v : fallback);
    const contextLength = Math.round(num(m.contextLength, defaultContextLength(architecture)));
    models.push({
      name,
      architecture,
      workload: {
        requestsPerSecond: rps,
        contextLength,
        inputTokens: Math.round(num(d?.inputTokens, 1000)),
        outputTokens: Math.round(num(d?.outputTokens, 200)),
        ttftMsMax: typeof d?.ttftMs === 'number' && d.ttftMs > 0 ? d.ttftMs : undefined,
        tpotMsMax: typeof d?.tpotMs === 'number' && d.tpotMs > 0 ? d.tpotMs : undefined,
      },
    });
  }
  if (models.length === 0 || pools.length === 0) return fail('give at least one GPU type and one model');
  return { ok: true, value: { models, pools } };
}

/** The candidates of one model after another (each model's sizing is one step a caller can pause between). */
function* candidateSteps(problem: ProvisioningProblem, options: SuggestOptions): Generator<Candidate[]> {
  // One replica's capacity does not depend on the demand: models that share an architecture and a
  // request shape share their layouts (a fleet of one model under many names is sized once); a
  // replica's capacity does not depend on the price, so pools that differ only in price share too.
  const layouts = new Map<string, ReturnType<typeof evaluateLayout>>();
  for (const m of problem.models) {
    const list: Candidate[] = [];
    for (const pool of problem.pools) {
      for (const tp of validTensorParallel(m.architecture)) {
        if (tp > pool.count) continue;
        // Capacity per replica, not for the whole demand: ask for one replica's worth.
        const workload = { ...m.workload, requestsPerSecond: undefined, concurrency: undefined };
        const key = JSON.stringify([m.architecture.id, pool.gpu.id, tp, workload]);
        let layout = layouts.get(key);
        if (layout === undefined) {
          layout = evaluateLayout(m.architecture, pool.gpu, tp, 1, workload, options);
          layouts.set(key, layout);
        }
        if (typeof layout === 'string') continue;
        list.push({
          model: m.name,
          gpuType: pool.gpu.id,
          tp,
          requestsPerSecond: layout.perReplica.requestsPerSecond,
          costPerHour: tp * pool.gpu.pricePerHour,
          batch: layout.batch,
        });
      }
    }
    yield list;
  }
}

/** Per-replica capacity of every model x GPU type x TP; `options` carries the engine and the workspace's calibration. */
export function candidates(
  problem: ProvisioningProblem,
  options: SuggestOptions = {},
  deadline = Infinity,
): Candidate[] | 'overran' {
  const list: Candidate[] = [];
  for (const step of candidateSteps(problem, options)) {
    list.push(...step);
    if (Date.now() > deadline) return 'overran';
  }
  return list;
}

/**
 * The same, handing control back between models: the performance model takes tens of milliseconds
 * per candidate, and in the editor this runs on the extension host, which must keep answering.
 */
async function candidatesPausing(
  problem: ProvisioningProblem,
  options: SuggestOptions,
  deadline: number,
  pause: () => Promise<void>,
): Promise<Candidate[] | 'overran'> {
  const list: Candidate[] = [];
  for (const step of candidateSteps(problem, options)) {
    list.push(...step);
    if (Date.now() > deadline) return 'overran';
    await pause();
  }
  return list;
}

function program(
  problem: ProvisioningProblem,
  list: Candidate[],
  weight: number,
  caps?: Map<string, number>,
): LinearProgram {
  const demand = new Map(problem.models.map((m) => [m.name, m.workload.requestsPerSecond]));
  const vars = list.map((c, i) => ({
    c,
    name: `n_${i}`,
    ub: Math.ceil((2 * (demand.get(c.model) ?? 0)) / c.requestsPerSecond) + 1,
  }));
  // Cost minus `weight` dollars per unit of headroom (capacity / demand, per model): weight 0 is
  // the cheapest plan; a larger weight buys spare capacity where it is cheapest.
  const objective: Term[] = vars.map(({ c, name }) => ({
    name,
    coef: c.costPerHour - (weight * c.requestsPerSecond) / (demand.get(c.model) ?? 1),
  }));
  const terms = (of: typeof vars) => of.map((v) => ({ name: v.name, coef: v.c.requestsPerSecond }));
  const varsByModel = groupBy(vars, (v) => v.c.model);
  const constraints = [
    // Rows are named by index: a model's name is the user's text, not a GLPK name.
    ...problem.models.map((m, i) => ({
      name: `demand_${i}`,
      vars: terms(varsByModel.get(m.name) ?? []),
      bound: { kind: 'atLeast' as const, lb: m.workload.requestsPerSecond },
    })),
    // In the sweep, capacity stays within the cap: headroom, not a second fleet.
    ...(caps
      ? problem.models.map((m, i) => ({
          name: `cap_${i}`,
          vars: terms(varsByModel.get(m.name) ?? []),
          bound: { kind: 'upTo' as const, ub: caps.get(m.name) ?? Infinity },
        }))
      : []),
    ...problem.pools.map((p) => ({
      name: `gpus_${p.gpu.id}`,
      vars: vars.filter((v) => v.c.gpuType === p.gpu.id).map((v) => ({ name: v.name, coef: v.c.tp })),
      bound: { kind: 'upTo' as const, ub: p.count },
    })),
  ].filter((row) => row.vars.length > 0);
  return {
    name: 'gpu-provisioning',
    objective: { direction: 'min', name: 'cost', vars: objective },
    subjectTo: constraints,
    generals: vars.map((v) => v.name),
    bounds: vars.map((v) => ({ name: v.name, bound: { kind: 'between' as const, lb: 0, ub: v.ub } })),
  };
}

/** The items of a list by key, in their order. */
function groupBy<T>(list: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of list) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function homogeneous(
  problem: ProvisioningProblem,
  list: Candidate[],
): { gpuType: string; costPerHour: number } | undefined {
  let best: { gpuType: string; costPerHour: number } | undefined;
  // Candidates by model and GPU type, found once: a filter per pair was quadratic (1,000 models: 5 s).
  const byPair = groupBy(list, (c) => `${c.model}\u0000${c.gpuType}`);
  for (const pool of problem.pools) {
    let total = 0;
    let gpus = 0;
    for (const m of problem.models) {
      const options = byPair.get(`${m.name}\u0000${pool.gpu.id}`) ?? [];
      if (options.length === 0) {
        total = Infinity;
        break;
      }
      const pick = options
        .map((c) => ({ c, n: Math.ceil(m.workload.requestsPerSecond / c.requestsPerSecond - FLOAT_TOLERANCE) }))
        .reduce((a, b) => (b.n * b.c.costPerHour < a.n * a.c.costPerHour ? b : a));
      total += pick.n * pick.c.costPerHour;
      gpus += pick.n * pick.c.tp;
    }
    if (gpus > pool.count) continue;
    if (Number.isFinite(total) && (!best || total < best.costPerHour))
      best = { gpuType: pool.gpu.id, costPerHour: total };
  }
  return best;
}

interface Solved {
  status: SolveResult['status'];
  choices: ProvisioningChoice[];
  cost: number;
  headroom: number;
}

/** Requests/s the chosen replicas of one model sustain together. */
function capacity(choices: ProvisioningChoice[], model: string): number {
  return choices.filter((c) => c.model === model).reduce((s, c) => s + c.replicas * c.requestsPerSecond, 0);
}

function summarize(problem: ProvisioningProblem, status: SolveResult['status'], choices: ProvisioningChoice[]): Solved {
  return {
    status,
    choices,
    cost: choices.reduce((s, c) => s + c.replicas * c.costPerHour, 0),
    headroom:
      problem.models.reduce((sum, m) => sum + capacity(choices, m.name) / m.workload.requestsPerSecond, 0) /
      problem.models.length,
  };
}

/**
 * Models compete only for the pools' GPU counts. So each model is solved alone first (a small
 * covering knapsack GLPK proves in milliseconds); if the choices together fit the pools, that is
 * the joint optimum (dropping the shared rows can only lower the cost, and it did not need to).
 * Only when the pools bind is the whole MIP solved, which is harder and may end at the time limit.
 */
async function solveDecomposed(
  problem: ProvisioningProblem,
  list: Candidate[],
  solve: SolveProgram,
  deadline: number,
  limitSeconds: number,
  weight: number,
  caps?: Map<string, number>,
): Promise<Solved> {
  // One deadline for every program of the command: past it, no new solve starts.
  const left = () => {
    const seconds = (deadline - Date.now()) / 1000;
    if (seconds <= 0) throw new SolverTimeoutError(limitSeconds);
    return Math.max(0.1, seconds);
  };
  const choices: ProvisioningChoice[] = [];
  let status: SolveResult['status'] = 'optimal';
  const byModel = groupBy(list, (c) => c.model);
  for (const m of problem.models) {
    const own = byModel.get(m.name) ?? [];
    const result = await solve(program({ ...problem, models: [m] }, own, weight, caps), {
      timeLimitSeconds: left(),
      mipGap: 0,
    });
    if (result.status === 'infeasible') return summarize(problem, 'infeasible', []);
    if (result.status !== 'optimal') status = result.status === 'feasible' ? 'feasible' : result.status;
    choices.push(
      ...own
        .map((c, i) => ({ ...c, replicas: Math.round(result.values[`n_${i}`] ?? 0) }))
        .filter((c) => c.replicas > 0),
    );
  }
  const fits = problem.pools.every(
    (p) => choices.filter((c) => c.gpuType === p.gpu.id).reduce((s, c) => s + c.replicas * c.tp, 0) <= p.count,
  );
  if (fits && (status === 'optimal' || status === 'feasible')) return summarize(problem, status, choices);
  const result = await solve(program(problem, list, weight, caps), { timeLimitSeconds: left(), mipGap: 0 });
  return summarize(
    problem,
    result.status,
    list.map((c, i) => ({ ...c, replicas: Math.round(result.values[`n_${i}`] ?? 0) })).filter((c) => c.replicas > 0),
  );
}

export async function solveProvisioning(
  problem: ProvisioningProblem,
  solve: SolveProgram,
  timeLimitSeconds: number,
  options: SuggestOptions = {},
  pause: () => Promise<void> = () => Promise.resolve(),
): Promise<ProvisioningResult> {
  const deadline = Date.now() + timeLimitSeconds * 1000;
  const list = await candidatesPausing(problem, options, deadline, pause);
  if (list === 'overran')
    return {
      status: 'timeout',
      message: `Sizing every model on every GPU type took longer than the ${timeLimitSeconds} s time limit; give a longer limit or fewer models.`,
      choices: [],
      front: [],
    };
  const missing = problem.models.find((m) => !list.some((c) => c.model === m.name));
  if (missing)
    return {
      status: 'infeasible',
      message: `No GPU type here can serve ${missing.name} within its memory and latency targets.`,
      choices: [],
      front: [],
    };
  const same = homogeneous(problem, list);
  const run = (weight: number, caps?: Map<string, number>) =>
    solveDecomposed(problem, list, solve, deadline, timeLimitSeconds, weight, caps);
  let base;
  try {
    base = await run(0);
  } catch (error) {
    return {
      status: isSolverTimeout(error) ? 'timeout' : 'error',
      // The command's limit, not what was left of it for the last program.
      message: isSolverTimeout(error) ? new SolverTimeoutError(timeLimitSeconds).message : errorMessage(error),
      choices: [],
      homogeneous: same,
      front: [],
    };
  }
  if (base.status === 'infeasible')
    return {
      status: 'infeasible',
      message: 'The GPUs available cannot meet every demand: add GPUs or relax the latency targets.',
      choices: [],
      homogeneous: same,
      front: [],
    };
  if (base.status !== 'optimal' && base.status !== 'feasible')
    return {
      status: 'timeout',
      message: `GLPK stopped without a solution (${base.status}).`,
      choices: [],
      homogeneous: same,
      front: [],
    };
  // The sweep: paying up to w dollars per hour for each extra request/s of capacity.
  const points = [{ costPerHour: base.cost, headroom: base.headroom }];
  const perModel = base.cost / problem.models.length;
  // Up to twice each demand, or what the cheapest plan already has if that is more.
  const caps = new Map(
    problem.models.map((m) => [m.name, Math.max(2 * m.workload.requestsPerSecond, capacity(base.choices, m.name))]),
  );
  for (const factor of [0.1, 0.25, 0.5, 1, 2, 4]) {
    try {
      const swept = await run(perModel * factor, caps);
      if (swept.status === 'optimal' || swept.status === 'feasible')
        points.push({ costPerHour: swept.cost, headroom: swept.headroom });
    } catch {
      break;
    }
  }
  const front = points
    .sort((a, b) => a.costPerHour - b.costPerHour || b.headroom - a.headroom)
    .filter((p, i, all) => all.slice(0, i).every((q) => q.headroom < p.headroom - FLOAT_TOLERANCE));
  const saving = same ? same.costPerHour - base.cost : undefined;
  return {
    status: base.status,
    message: `${base.status === 'optimal' ? 'Proven optimal' : 'Feasible, not proven optimal (the time limit came first)'}: $${base.cost.toFixed(2)}/h for ${problem.models.length} model(s)${same ? `, ${saving! > FLOAT_TOLERANCE ? `$${saving!.toFixed(2)}/h less than` : 'the same as'} the best single GPU type (${same.gpuType}, $${same.costPerHour.toFixed(2)}/h)` : ''}.`,
    costPerHour: base.cost,
    choices: base.choices,
    homogeneous: same,
    front,
  };
}
