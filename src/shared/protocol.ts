/**
 * Messages between the extension and the workbench webview, typed once and imported by both
 * sides. Every message that crosses the boundary is checked with the guard of its direction;
 * anything else is dropped (and logged by the receiver). Each direction is one table: message type
 * -> guard of its fields. The union type, the guard and the tests' list of types all derive from it,
 * so a message cannot be added to one and forgotten in another.
 */
import type { PerformanceChartView } from '../core/perf/chartView.ts';
import { PLAN_STATUSES, type PlanStatus } from '../core/solver/status.ts';

export type { PerformanceChartView };

/** What the webview shows about the solver engine. */
export type SolverState =
  { state: 'loading' } | { state: 'ready'; glpkVersion: string; loadMs: number } | { state: 'failed'; message: string };

/** The workbench's tabs, in the order shown; each command opens its own. */
export const WORKBENCH_TABS = ['estimate', 'suggest', 'plan', 'simulate'] as const;
export type WorkbenchTab = (typeof WORKBENCH_TABS)[number];
const isWorkbenchTab = (value: unknown): value is WorkbenchTab =>
  typeof value === 'string' && (WORKBENCH_TABS as readonly string[]).includes(value);

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
  status: PlanStatus;
  message: string;
  costPerHour?: number;
  gpusUsed?: number;
  greedy?: { costPerHour: number; gpusUsed: number };
  onePerGpu?: { costPerHour: number; gpusUsed: number };
  /** GLPK's time for this plan, ms. */
  mipMs?: number;
  /** The exact DP on the same problem (small single-type ones), or why it was skipped. */
  dp?: { costPerHour?: number; gpusUsed?: number; ms?: number; note: string };
  gpus: {
    label: string;
    memoryGiB: number;
    /** `replica` and `tp` mark the GPUs of one tensor-parallel group (absent in plans kept by 0.1.0). */
    shards: { model: string; memoryGiB: number; replica?: number; tp?: number }[];
  }[];
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

/** The user's own LP solved: the solution, and per constraint its slack and dual value (shadow price). */
export type LpView =
  | {
      ok: true;
      status: string;
      objective: number;
      values: { name: string; value: number }[];
      rows: { name: string; slack: number; dual?: number }[];
      /** Why duals are missing, when they are. */
      dualNote?: string;
      solveMs: number;
    }
  | { ok: false; message: string };

function isLpView(value: unknown): value is LpView {
  if (!isRecord(value)) return false;
  if (value.ok === false) return typeof value.message === 'string';
  return (
    value.ok === true &&
    typeof value.status === 'string' &&
    isFiniteNumber(value.objective) &&
    isFiniteNumber(value.solveMs) &&
    (value.dualNote === undefined || typeof value.dualNote === 'string') &&
    Array.isArray(value.values) &&
    value.values.every((v) => isRecord(v) && typeof v.name === 'string' && isFiniteNumber(v.value)) &&
    Array.isArray(value.rows) &&
    value.rows.every(
      (r) =>
        isRecord(r) &&
        typeof r.name === 'string' &&
        isFiniteNumber(r.slack) &&
        (r.dual === undefined || isFiniteNumber(r.dual)),
    )
  );
}

export type PlanState = { state: 'idle' } | { state: 'solving' } | { state: 'done'; plan: PlanView };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const MAX_PROBLEM_TEXT = 1024 * 1024;

const isCost = (v: unknown) =>
  v === undefined || (isRecord(v) && isFiniteNumber(v.costPerHour) && isFiniteNumber(v.gpusUsed));

export function isPlanState(value: unknown): value is PlanState {
  if (!isRecord(value)) return false;
  if (value.state === 'idle' || value.state === 'solving') return true;
  if (value.state !== 'done' || !isRecord(value.plan)) return false;
  const plan = value.plan;
  return (
    typeof plan.status === 'string' &&
    Object.hasOwn(PLAN_STATUSES, plan.status) &&
    typeof plan.message === 'string' &&
    (plan.costPerHour === undefined || isFiniteNumber(plan.costPerHour)) &&
    (plan.gpusUsed === undefined || isFiniteNumber(plan.gpusUsed)) &&
    isCost(plan.greedy) &&
    isCost(plan.onePerGpu) &&
    (plan.mipMs === undefined || isFiniteNumber(plan.mipMs)) &&
    (plan.dp === undefined ||
      (isRecord(plan.dp) &&
        typeof plan.dp.note === 'string' &&
        [plan.dp.costPerHour, plan.dp.gpusUsed, plan.dp.ms].every((v) => v === undefined || isFiniteNumber(v)))) &&
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
        g.shards.every(
          (s) =>
            isRecord(s) &&
            typeof s.model === 'string' &&
            isFiniteNumber(s.memoryGiB) &&
            (s.replica === undefined || isFiniteNumber(s.replica)) &&
            (s.tp === undefined || isFiniteNumber(s.tp)),
        ),
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

export function isPerformanceChartView(value: unknown): value is PerformanceChartView {
  return (
    isRecord(value) &&
    typeof value.title === 'string' &&
    typeof value.unit === 'string' &&
    isStringArray(value.notes) &&
    Array.isArray(value.points) &&
    value.points.every(
      (p) =>
        isRecord(p) &&
        typeof p.label === 'string' &&
        [p.measured, p.roofline, p.calibrated].every((v) => isFiniteNumber(v) && (v as number) >= 0),
    )
  );
}

/** A guard over a message's fields: true when they are exactly the ones of its type, well formed. */
type FieldsGuard<T> = (message: Record<string, unknown>) => message is Record<string, unknown> & T;

/** The message has `type` and exactly these other keys (optional ones may be absent). */
function onlyKeys(message: Record<string, unknown>, required: string[], optional: string[] = []): boolean {
  const keys = Object.keys(message).filter((k) => k !== 'type');
  return (
    required.every((k) => Object.hasOwn(message, k)) && keys.every((k) => required.includes(k) || optional.includes(k))
  );
}

const boundedText = (value: unknown): value is string => typeof value === 'string' && value.length <= MAX_PROBLEM_TEXT;

/** Webview -> extension, one entry per message type. */
const WEBVIEW_TO_EXTENSION = {
  /** The page has loaded and wants the current state (with the problem it kept, after a reload). */
  ready: ((m) =>
    onlyKeys(m, [], ['problemText']) && (m.problemText === undefined || boundedText(m.problemText))) as FieldsGuard<{
    problemText?: string;
  }>,
  /** Solve this problem (JSON text as typed): packing or provisioning. */
  solvePlan: ((m) => onlyKeys(m, ['text']) && boundedText(m.text)) as FieldsGuard<{ text: string }>,
  /** The problem as typed so far (sent a moment after the user stops typing): the extension keeps it. */
  planDraft: ((m) => onlyKeys(m, ['text']) && boundedText(m.text)) as FieldsGuard<{ text: string }>,
  /** Solve the user's own LP (CPLEX LP text). */
  solveLp: ((m) => onlyKeys(m, ['text']) && boundedText(m.text)) as FieldsGuard<{ text: string }>,
  /** Stop the solve in progress. */
  cancelSolve: ((m) => onlyKeys(m, [])) as FieldsGuard<object>,
  /** Open the last plan as JSON, Kubernetes Deployments or vllm serve commands. */
  exportPlan: ((m) =>
    onlyKeys(m, ['format']) &&
    (m.format === 'json' || m.format === 'kubernetes' || m.format === 'vllm')) as FieldsGuard<{
    format: 'json' | 'kubernetes' | 'vllm';
  }>,
  /** Put an example problem in the editor (placing replicas, or provisioning for a demand). */
  loadPlanExample: ((m) =>
    onlyKeys(m, ['example']) && (m.example === 'packing' || m.example === 'provisioning')) as FieldsGuard<{
    example: 'packing' | 'provisioning';
  }>,
  /** Replace the problem's "gpus" with the GPUs the inventory sees (the text as typed). */
  planPoolFromInventory: ((m) => onlyKeys(m, ['text']) && boundedText(m.text)) as FieldsGuard<{ text: string }>,
} satisfies Record<string, FieldsGuard<object>>;

/** Extension -> webview, one entry per message type. */
const EXTENSION_TO_WEBVIEW = {
  /** The solver engine's state changed. */
  solverState: ((m) => onlyKeys(m, ['solver']) && isSolverState(m.solver)) as FieldsGuard<{ solver: SolverState }>,
  /** The built-in model ids, for the problem form's picker and checks (sent on every page load). */
  catalogModels: ((m) => onlyKeys(m, ['ids']) && isStringArray(m.ids) && m.ids.length <= 10_000) as FieldsGuard<{
    ids: string[];
  }>,
  /** The user's LP, solved (or why not). */
  lpResult: ((m) => onlyKeys(m, ['result']) && isLpView(m.result)) as FieldsGuard<{ result: LpView }>,
  /** Bring this tab to the front: a command just put its result there. */
  showTab: ((m) => onlyKeys(m, ['tab']) && isWorkbenchTab(m.tab)) as FieldsGuard<{ tab: WorkbenchTab }>,
  /** Show a memory estimate ("Estimate Model Memory"). */
  estimate: ((m) => onlyKeys(m, ['estimate']) && isEstimateView(m.estimate)) as FieldsGuard<{ estimate: EstimateView }>,
  /** Show a deployment suggestion ("Suggest Deployment"). */
  suggestion: ((m) => onlyKeys(m, ['suggestion']) && isSuggestionView(m.suggestion)) as FieldsGuard<{
    suggestion: SuggestionView;
  }>,
  /** Show measured against predicted throughput after a benchmark import ("Import Benchmark Result"). */
  performanceChart: ((m) => onlyKeys(m, ['chart']) && isPerformanceChartView(m.chart)) as FieldsGuard<{
    chart: PerformanceChartView;
  }>,
  /**
   * The problem text to start from (an example, the inventory's pool, or the last one solved).
   * `restored`: the kept problem sent back on "ready"; the page keeps an edit typed since over it.
   */
  planProblem: ((m) =>
    onlyKeys(m, ['text'], ['restored']) &&
    boundedText(m.text) &&
    (m.restored === undefined || m.restored === true)) as FieldsGuard<{ text: string; restored?: true }>,
  /** The solve's progress and result. */
  planState: ((m) => onlyKeys(m, ['plan']) && isPlanState(m.plan)) as FieldsGuard<{ plan: PlanState }>,
} satisfies Record<string, FieldsGuard<object>>;

type Fields<G> = G extends FieldsGuard<infer T> ? T : never;
type MessageOf<Table> = { [K in keyof Table]: { type: K } & Fields<Table[K]> }[keyof Table];

export type WebviewToExtension = MessageOf<typeof WEBVIEW_TO_EXTENSION>;
export type ExtensionToWebview = MessageOf<typeof EXTENSION_TO_WEBVIEW>;

/** Every message type of each direction (the tests fuzz each of them). */
export const WEBVIEW_TO_EXTENSION_TYPES = Object.keys(WEBVIEW_TO_EXTENSION) as WebviewToExtension['type'][];
export const EXTENSION_TO_WEBVIEW_TYPES = Object.keys(EXTENSION_TO_WEBVIEW) as ExtensionToWebview['type'][];

function checkMessage(table: Record<string, FieldsGuard<object>>, value: unknown): boolean {
  if (!isRecord(value) || typeof value.type !== 'string' || !Object.hasOwn(table, value.type)) return false;
  return table[value.type]!(value);
}

export function isWebviewToExtension(value: unknown): value is WebviewToExtension {
  return checkMessage(WEBVIEW_TO_EXTENSION, value);
}

export function isExtensionToWebview(value: unknown): value is ExtensionToWebview {
  return checkMessage(EXTENSION_TO_WEBVIEW, value);
}

/** For exhaustive switches: a message type nobody handles fails the type check here. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled message: ${JSON.stringify(value)}`);
}
