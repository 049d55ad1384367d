/**
 * Messages between the extension and the workbench webview, typed once and imported by both
 * sides. Every message that crosses the boundary is checked with the guard of its direction;
 * anything else is dropped (and logged by the receiver).
 */

/** What the webview shows about the solver engine. */
export type SolverState =
  { state: 'loading' } | { state: 'ready'; glpkVersion: string; loadMs: number } | { state: 'failed'; message: string };

/** Outcome of the solver self-test, a textbook LP whose optimum is known by hand. */
export type SelfTestOutcome =
  | { ok: true; status: string; objective: number; values: Record<string, number>; solveMs: number }
  | { ok: false; message: string };

/** One memory estimate as the workbench draws it: GiB per GPU (2^30 bytes). */
export interface EstimateView {
  title: string;
  /** Memory CUDA reports on one GPU. */
  totalGiB: number;
  usableGiB: number;
  parts: { label: string; gib: number }[];
  kvCacheTokens: number;
  maxConcurrency: number;
  fits: boolean;
  problems: string[];
  advice: string[];
  explanation: string[];
}

/** A deployment suggestion as the workbench shows it. */
export type SuggestionView =
  | {
      ok: true;
      title: string;
      rows: {
        gpu: string;
        layout: string;
        gpus: number;
        costPerHour: number;
        batch: number;
        tpotMs: number;
        ttftMs: number;
        best: boolean;
      }[];
      commands: { label: string; text: string }[];
      reasons: string[];
      assumptions: string[];
    }
  | { ok: false; title: string; reasons: string[] };

/** A solved packing plan as the workbench draws it. */
export interface PlanView {
  status: 'optimal' | 'feasible' | 'infeasible' | 'timeout' | 'error' | 'cancelled';
  message: string;
  costPerHour?: number;
  gpusUsed?: number;
  greedy?: { costPerHour: number; gpusUsed: number };
  onePerGpu?: { costPerHour: number; gpusUsed: number };
  gpus: { label: string; memoryGiB: number; shards: { model: string; memoryGiB: number }[] }[];
  /** For provisioning problems (models with a demand): what to run where, and the cost/headroom front. */
  provisioning?: {
    rows: {
      model: string;
      gpuType: string;
      tp: number;
      replicas: number;
      requestsPerSecond: number;
      costPerHour: number;
    }[];
    homogeneous?: { gpuType: string; costPerHour: number };
    front: { costPerHour: number; headroom: number }[];
  };
}

export type PlanState = { state: 'idle' } | { state: 'solving' } | { state: 'done'; plan: PlanView };

export type WebviewToExtension =
  /** Webview -> extension: the page has loaded and wants the current state (with the problem it kept, after a reload). */
  | { type: 'ready'; problemText?: string }
  /** Webview -> extension: the user asked to run the solver self-test. */
  | { type: 'runSolverSelfTest' }
  /** Webview -> extension: solve this packing problem (JSON text as typed). */
  | { type: 'solvePlan'; text: string }
  /** Webview -> extension: stop the solve in progress. */
  | { type: 'cancelSolve' }
  /** Webview -> extension: open the last plan as JSON, Kubernetes Deployments or vllm serve commands. */
  | { type: 'exportPlan'; format: 'json' | 'kubernetes' | 'vllm' }
  /** Webview -> extension: put an example problem in the editor (placing replicas, or provisioning for a demand). */
  | { type: 'loadPlanExample'; example: 'packing' | 'provisioning' }
  /** Webview -> extension: replace the problem's "gpus" with the GPUs the inventory sees (the text as typed). */
  | { type: 'planPoolFromInventory'; text: string };

export type ExtensionToWebview =
  /** Extension -> webview: the solver engine's state changed. */
  | { type: 'solverState'; solver: SolverState }
  /** Extension -> webview: the self-test finished. */
  | { type: 'solverSelfTest'; outcome: SelfTestOutcome }
  /** Extension -> webview: show a memory estimate ("Estimate Model Memory"). */
  | { type: 'estimate'; estimate: EstimateView }
  /** Extension -> webview: show a deployment suggestion ("Suggest Deployment"). */
  | { type: 'suggestion'; suggestion: SuggestionView }
  /** Extension -> webview: the problem text to start from (an example, or the last one solved). */
  | { type: 'planProblem'; text: string }
  /** Extension -> webview: the solve's progress and result. */
  | { type: 'planState'; plan: PlanState };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'number');
}

export const MAX_PROBLEM_TEXT = 1024 * 1024;

export function isWebviewToExtension(value: unknown): value is WebviewToExtension {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value).length;
  switch (value.type) {
    case 'ready':
      return (
        keys === 1 ||
        (keys === 2 && typeof value.problemText === 'string' && value.problemText.length <= MAX_PROBLEM_TEXT)
      );
    case 'runSolverSelfTest':
    case 'cancelSolve':
      return keys === 1;
    case 'solvePlan':
      return keys === 2 && typeof value.text === 'string' && value.text.length <= MAX_PROBLEM_TEXT;
    case 'exportPlan':
      return keys === 2 && (value.format === 'json' || value.format === 'kubernetes' || value.format === 'vllm');
    case 'planPoolFromInventory':
      return keys === 2 && typeof value.text === 'string' && value.text.length <= MAX_PROBLEM_TEXT;
    case 'loadPlanExample':
      return keys === 2 && (value.example === 'packing' || value.example === 'provisioning');
    default:
      return false;
  }
}

const PLAN_STATUSES = new Set(['optimal', 'feasible', 'infeasible', 'timeout', 'error', 'cancelled']);
const isCost = (v: unknown) =>
  v === undefined || (isRecord(v) && isFiniteNumber(v.costPerHour) && isFiniteNumber(v.gpusUsed));

export function isPlanState(value: unknown): value is PlanState {
  if (!isRecord(value)) return false;
  if (value.state === 'idle' || value.state === 'solving') return true;
  if (value.state !== 'done' || !isRecord(value.plan)) return false;
  const plan = value.plan;
  return (
    typeof plan.status === 'string' &&
    PLAN_STATUSES.has(plan.status) &&
    typeof plan.message === 'string' &&
    (plan.costPerHour === undefined || isFiniteNumber(plan.costPerHour)) &&
    (plan.gpusUsed === undefined || isFiniteNumber(plan.gpusUsed)) &&
    isCost(plan.greedy) &&
    isCost(plan.onePerGpu) &&
    (plan.provisioning === undefined ||
      (isRecord(plan.provisioning) &&
        Array.isArray(plan.provisioning.rows) &&
        plan.provisioning.rows.every(
          (r) =>
            isRecord(r) &&
            typeof r.model === 'string' &&
            typeof r.gpuType === 'string' &&
            [r.tp, r.replicas, r.requestsPerSecond, r.costPerHour].every(isFiniteNumber),
        ) &&
        Array.isArray(plan.provisioning.front) &&
        plan.provisioning.front.every(
          (p) => isRecord(p) && isFiniteNumber(p.costPerHour) && isFiniteNumber(p.headroom),
        ))) &&
    Array.isArray(plan.gpus) &&
    plan.gpus.every(
      (g) =>
        isRecord(g) &&
        typeof g.label === 'string' &&
        isFiniteNumber(g.memoryGiB) &&
        Array.isArray(g.shards) &&
        g.shards.every((s) => isRecord(s) && typeof s.model === 'string' && isFiniteNumber(s.memoryGiB)),
    )
  );
}

function isSolverState(value: unknown): value is SolverState {
  if (!isRecord(value)) return false;
  switch (value.state) {
    case 'loading':
      return true;
    case 'ready':
      return typeof value.glpkVersion === 'string' && typeof value.loadMs === 'number';
    case 'failed':
      return typeof value.message === 'string';
    default:
      return false;
  }
}

function isSelfTestOutcome(value: unknown): value is SelfTestOutcome {
  if (!isRecord(value)) return false;
  if (value.ok === false) return typeof value.message === 'string';
  return (
    value.ok === true &&
    typeof value.status === 'string' &&
    typeof value.objective === 'number' &&
    typeof value.solveMs === 'number' &&
    isNumberRecord(value.values)
  );
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

export function isEstimateView(value: unknown): value is EstimateView {
  if (!isRecord(value)) return false;
  return (
    typeof value.title === 'string' &&
    isFiniteNumber(value.totalGiB) &&
    isFiniteNumber(value.usableGiB) &&
    Array.isArray(value.parts) &&
    value.parts.every((p) => isRecord(p) && typeof p.label === 'string' && isFiniteNumber(p.gib)) &&
    isFiniteNumber(value.kvCacheTokens) &&
    isFiniteNumber(value.maxConcurrency) &&
    typeof value.fits === 'boolean' &&
    isStringArray(value.problems) &&
    isStringArray(value.advice) &&
    isStringArray(value.explanation)
  );
}

export function isSuggestionView(value: unknown): value is SuggestionView {
  if (!isRecord(value) || typeof value.title !== 'string' || !isStringArray(value.reasons)) return false;
  if (value.ok === false) return true;
  return (
    value.ok === true &&
    Array.isArray(value.rows) &&
    value.rows.every(
      (r) =>
        isRecord(r) &&
        typeof r.gpu === 'string' &&
        typeof r.layout === 'string' &&
        typeof r.best === 'boolean' &&
        [r.gpus, r.costPerHour, r.batch, r.tpotMs, r.ttftMs].every(isFiniteNumber),
    ) &&
    Array.isArray(value.commands) &&
    value.commands.every((c) => isRecord(c) && typeof c.label === 'string' && typeof c.text === 'string') &&
    isStringArray(value.assumptions)
  );
}

export function isExtensionToWebview(value: unknown): value is ExtensionToWebview {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'solverState':
      return isSolverState(value.solver);
    case 'solverSelfTest':
      return isSelfTestOutcome(value.outcome);
    case 'estimate':
      return isEstimateView(value.estimate);
    case 'suggestion':
      return isSuggestionView(value.suggestion);
    case 'planProblem':
      return typeof value.text === 'string' && value.text.length <= MAX_PROBLEM_TEXT;
    case 'planState':
      return isPlanState(value.plan);
    default:
      return false;
  }
}
