import {
  assertNever,
  isExtensionToWebview,
  WORKBENCH_TABS,
  type EstimateView,
  type PerformanceChartView,
  type PlanState,
  type SolverState,
  type SuggestionView,
  type WorkbenchTab,
} from '../src/shared/protocol.ts';
import { progressRing, registerToolkit } from './components/toolkit.ts';
import { el, replaceKeepingFocus } from './dom.ts';
import { renderEstimate } from './estimateView.ts';
import { renderLp } from './lpView.ts';
import { renderPlan } from './planView.ts';
import { edited, freshDraftClock, keepsLocalDraft, saidReady } from './problemDraft.ts';
import { setCatalogModels } from './problemForm.ts';
import { renderSimulation } from './simulationView.ts';
import { renderPerformanceChart } from './performanceChartView.ts';
import { renderSuggestion } from './suggestionView.ts';
import { createHost } from './vscodeApi.ts';
import { formatMs } from './scale.ts';

interface PersistedState {
  tab?: WorkbenchTab;
  estimate?: EstimateView;
  suggestion?: SuggestionView;
  /**
   * The problem as last typed (a draft the extension has not seen). The plan itself is not kept
   * here: the extension owns it (workspace storage) and sends it on every load.
   */
  problemText?: string;
}

const TAB_TITLES: Record<WorkbenchTab, string> = {
  estimate: 'Estimate',
  suggest: 'Suggest',
  plan: 'Plan',
  simulate: 'Simulate',
};

const host = createHost<PersistedState>();
const saved = host.getState();
let solver: SolverState = { state: 'loading' };
let tab: WorkbenchTab = saved?.tab && WORKBENCH_TABS.includes(saved.tab) ? saved.tab : 'plan';
let estimate: EstimateView | undefined = saved?.estimate;
let suggestion: SuggestionView | undefined = saved?.suggestion;
// Not kept across reloads: the extension sends it again when the page is ready.
let performanceChart: PerformanceChartView | undefined;
let plan: PlanState = { state: 'idle' };
let problemText: string | undefined = typeof saved?.problemText === 'string' ? saved.problemText : undefined;
const persist = () => host.setState({ tab, estimate, suggestion, problemText });
// Built once: its inputs and results are the user's own and survive re-renders.
let simulationSection: HTMLElement | undefined;
const lp = renderLp((text) => host.postMessage({ type: 'solveLp', text }));
let draftTimer: ReturnType<typeof setTimeout> | undefined;
// An edit typed before the extension's late answer to "ready" is newer than that answer: kept.
let draftClock = freshDraftClock();
const planActions = {
  edit: (text: string) => {
    draftClock = edited(draftClock);
    problemText = text;
    persist();
    clearTimeout(draftTimer);
    draftTimer = setTimeout(() => host.postMessage({ type: 'planDraft', text }), 250);
  },
  solve: (text: string) => {
    clearTimeout(draftTimer);
    problemText = text;
    host.postMessage({ type: 'solvePlan', text });
  },
  cancel: () => host.postMessage({ type: 'cancelSolve' }),
  export: (format: 'json' | 'kubernetes' | 'vllm') => host.postMessage({ type: 'exportPlan', format }),
  example: (example: 'packing' | 'provisioning') => host.postMessage({ type: 'loadPlanExample', example }),
  poolFromInventory: (text: string) => host.postMessage({ type: 'planPoolFromInventory', text }),
};

/** One line under the plan: the solver the plan runs on (and the sign that the bundled GLPK loaded). */
function renderSolverStatus(): HTMLElement {
  switch (solver.state) {
    case 'loading':
      return el(
        'p',
        { className: 'status explain', id: 'solver-status' },
        progressRing('Loading the solver'),
        el('span', { text: 'Loading GLPK…' }),
      );
    case 'ready':
      return el('p', {
        className: 'status explain',
        id: 'solver-status',
        text: `Solver: GLPK ${solver.glpkVersion} (WebAssembly from the extension bundle), loaded in ${formatMs(solver.loadMs)}.`,
      });
    case 'failed':
      return el('p', {
        className: 'status error',
        id: 'solver-status',
        text: `The solver did not load: ${solver.message}`,
      });
  }
}

function emptyTab(id: string, text: string): HTMLElement {
  return el('section', { className: 'card empty', id }, el('p', { className: 'explain', text }));
}

function tabContent(which: WorkbenchTab): HTMLElement {
  switch (which) {
    case 'estimate':
      return estimate
        ? renderEstimate(estimate)
        : emptyTab(
            'estimate-empty',
            'Run "GPU Workbench: Estimate Model Memory…" (F1) to see how a model fills one GPU here.',
          );
    case 'suggest':
      if (performanceChart)
        return el(
          'div',
          {},
          ...(suggestion ? [renderSuggestion(suggestion)] : []),
          renderPerformanceChart(performanceChart),
        );
      return suggestion
        ? renderSuggestion(suggestion)
        : emptyTab(
            'suggestion-empty',
            'Run "GPU Workbench: Suggest Deployment…" (F1) to compare GPU types for a target load here.',
          );
    case 'plan': {
      const section = renderPlan(plan, problemText, planActions);
      section.append(renderSolverStatus());
      return el('div', {}, section, lp.element);
    }
    case 'simulate':
      simulationSection ??= renderSimulation();
      return simulationSection;
  }
}

function selectTab(next: WorkbenchTab, focus = false): void {
  tab = next;
  persist();
  render();
  if (focus) document.getElementById(`tab-${next}`)?.focus();
}

function renderTabs(): HTMLElement {
  const list = el('div', { className: 'tabs' });
  list.setAttribute('role', 'tablist');
  list.setAttribute('aria-label', 'Workbench');
  for (const which of WORKBENCH_TABS) {
    const button = el('button', { className: 'tab', id: `tab-${which}`, text: TAB_TITLES[which] });
    button.setAttribute('role', 'tab');
    button.setAttribute('aria-selected', String(which === tab));
    button.setAttribute('aria-controls', `panel-${which}`);
    button.tabIndex = which === tab ? 0 : -1;
    button.addEventListener('click', () => selectTab(which));
    // The keyboard pattern of a tab list: arrows move between tabs, Home/End to the ends.
    button.addEventListener('keydown', (event) => {
      const at = WORKBENCH_TABS.indexOf(which);
      const to: Record<string, number> = {
        ArrowRight: (at + 1) % WORKBENCH_TABS.length,
        ArrowLeft: (at + WORKBENCH_TABS.length - 1) % WORKBENCH_TABS.length,
        Home: 0,
        End: WORKBENCH_TABS.length - 1,
      };
      const target = to[event.key];
      if (target === undefined) return;
      event.preventDefault();
      selectTab(WORKBENCH_TABS[target]!, true);
    });
    list.append(button);
  }
  return list;
}

function render(): void {
  const app = document.getElementById('app');
  if (!app) return;
  const panel = el('div', { className: 'tab-panel', id: `panel-${tab}` }, tabContent(tab));
  panel.setAttribute('role', 'tabpanel');
  panel.setAttribute('aria-labelledby', `tab-${tab}`);
  replaceKeepingFocus(app, el('h1', { text: 'GPU Workbench' }), renderTabs(), panel);
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
      if (!keepsLocalDraft(draftClock, message)) problemText = message.text;
      break;
    case 'planState':
      plan = message.plan;
      break;
    case 'showTab':
      tab = message.tab;
      break;
    case 'lpResult':
      lp.show(message.result);
      break;
    case 'catalogModels':
      setCatalogModels(message.ids);
      break;
    default:
      assertNever(message);
  }
  persist();
  render();
  if (message.type === 'showTab') window.scrollTo(0, 0);
});

registerToolkit();
render();
draftClock = saidReady(draftClock);
host.postMessage(problemText === undefined ? { type: 'ready' } : { type: 'ready', problemText });
