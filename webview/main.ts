import {
  assertNever,
  isExtensionToWebview,
  type EstimateView,
  type PerformanceChartView,
  type PlanState,
  type SelfTestOutcome,
  type SolverState,
  type SuggestionView,
} from '../src/shared/protocol.ts';
import { button, divider, progressRing, registerToolkit, tag } from './components/toolkit.ts';
import { el } from './dom.ts';
import { renderEstimate } from './estimateView.ts';
import { renderPlan } from './planView.ts';
import { renderSimulation } from './simulationView.ts';
import { renderPerformanceChart } from './performanceChartView.ts';
import { renderSuggestion } from './suggestionView.ts';
import { createHost } from './vscodeApi.ts';

interface PersistedState {
  selfTest?: SelfTestOutcome;
  estimate?: EstimateView;
  suggestion?: SuggestionView;
  /**
   * The problem as last typed (a draft the extension has not seen). The plan itself is not kept
   * here: the extension owns it (workspace storage) and sends it on every load.
   */
  problemText?: string;
}

const host = createHost<PersistedState>();
let solver: SolverState = { state: 'loading' };
let selfTest: SelfTestOutcome | undefined = host.getState()?.selfTest;
let estimate: EstimateView | undefined = host.getState()?.estimate;
let suggestion: SuggestionView | undefined = host.getState()?.suggestion;
// Not kept across reloads: the extension sends it again when the page is ready.
let performanceChart: PerformanceChartView | undefined;
const saved = host.getState();
let plan: PlanState = { state: 'idle' };
let problemText: string | undefined = typeof saved?.problemText === 'string' ? saved.problemText : undefined;
const persist = () => host.setState({ selfTest, estimate, suggestion, problemText });
// Built once: its inputs and results are the user's own and survive re-renders.
let simulationSection: HTMLElement | undefined;
const planActions = {
  edit: (text: string) => {
    problemText = text;
    persist();
  },
  solve: (text: string) => {
    problemText = text;
    host.postMessage({ type: 'solvePlan', text });
  },
  cancel: () => host.postMessage({ type: 'cancelSolve' }),
  export: (format: 'json' | 'kubernetes' | 'vllm') => host.postMessage({ type: 'exportPlan', format }),
  example: (example: 'packing' | 'provisioning') => host.postMessage({ type: 'loadPlanExample', example }),
  poolFromInventory: (text: string) => host.postMessage({ type: 'planPoolFromInventory', text }),
};
let selfTestRunning = false;

function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

function renderSolverStatus(): HTMLElement {
  switch (solver.state) {
    case 'loading':
      return el(
        'p',
        { className: 'status', id: 'solver-status' },
        progressRing('Loading the solver'),
        el('span', { text: 'Loading GLPK…' }),
      );
    case 'ready':
      return el(
        'p',
        { className: 'status', id: 'solver-status' },
        tag('ready'),
        el('span', {
          text: `GLPK ${solver.glpkVersion} (WebAssembly from the extension bundle), loaded in ${formatMs(solver.loadMs)}`,
        }),
      );
    case 'failed':
      return el(
        'p',
        { className: 'status error', id: 'solver-status' },
        tag('failed'),
        el('span', { text: solver.message }),
      );
  }
}

function renderSelfTest(): HTMLElement {
  const section = el('div', { id: 'self-test' });
  section.append(
    el('p', {
      className: 'explain',
      text: 'Self-test: maximize 3x + 2y subject to x + y ≤ 4, x + 3y ≤ 6, x ≤ 3. By hand the optimum is x = 3, y = 1, value 11.',
    }),
  );
  if (solver.state === 'ready') {
    section.append(button(selfTestRunning ? 'Solving…' : 'Run solver self-test', runSelfTest));
  }
  if (selfTest?.ok) {
    const { x = NaN, y = NaN } = selfTest.values;
    section.append(
      el('p', {
        id: 'self-test-result',
        text: `${selfTest.status}: x = ${x}, y = ${y}, value ${selfTest.objective} (${formatMs(selfTest.solveMs)})`,
      }),
    );
  } else if (selfTest) {
    section.append(el('p', { id: 'self-test-result', className: 'error', text: selfTest.message }));
  }
  return section;
}

function render(): void {
  const app = document.getElementById('app');
  if (!app) return;
  simulationSection ??= renderSimulation();
  const simulation = simulationSection;
  app.replaceChildren(
    el('h1', { text: 'Allocation Workbench' }),
    ...(suggestion ? [renderSuggestion(suggestion)] : []),
    ...(performanceChart ? [renderPerformanceChart(performanceChart)] : []),
    renderPlan(plan, problemText, planActions),
    simulation,
    ...(estimate ? [renderEstimate(estimate)] : []),
    el('section', { className: 'card' }, el('h2', { text: 'Solver' }), renderSolverStatus(), renderSelfTest()),
    divider(),
  );
}

function runSelfTest(): void {
  if (selfTestRunning) return;
  selfTestRunning = true;
  render();
  host.postMessage({ type: 'runSolverSelfTest' });
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isExtensionToWebview(message)) {
    console.warn('GPU Workbench: dropped a malformed message', message);
    return;
  }
  switch (message.type) {
    case 'solverState':
      solver = message.solver;
      break;
    case 'estimate':
      estimate = message.estimate;
      break;
    case 'suggestion':
      suggestion = message.suggestion;
      break;
    case 'performanceChart':
      performanceChart = message.chart;
      break;
    case 'planProblem':
      problemText = message.text;
      break;
    case 'planState':
      plan = message.plan;
      break;
    case 'solverSelfTest':
      selfTestRunning = false;
      selfTest = message.outcome;
      break;
    default:
      assertNever(message);
  }
  persist();
  render();
});

registerToolkit();
render();
host.postMessage(problemText === undefined ? { type: 'ready' } : { type: 'ready', problemText });
