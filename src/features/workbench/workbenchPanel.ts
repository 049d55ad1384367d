import * as vscode from 'vscode';
import { WebviewTypes } from '../../constants.ts';
import {
  assertNever,
  isWebviewToExtension,
  type EstimateView,
  type ExtensionToWebview,
  type SolverState,
  type PerformanceChartView,
  type SuggestionView,
  type WebviewToExtension,
  type WorkbenchTab,
} from '../../shared/protocol.ts';
import type { WorkbenchDeps } from './deps.ts';
import { workbenchHtml } from './html.ts';
import { solveUserLp } from './lpSession.ts';
import { PlanSession } from './planSession.ts';
import { logError } from '../log/logError.ts';
import { errorMessage } from '../../core/errors.ts';

/** The allocation workbench: one panel at a time, revived after a window reload. */
export class WorkbenchPanel implements vscode.Disposable {
  private static current: WorkbenchPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private solverState: SolverState = { state: 'loading' };
  private estimate: EstimateView | undefined;
  private suggestion: SuggestionView | undefined;
  private performanceChart: PerformanceChartView | undefined;
  private readonly plan: PlanSession;
  /**
   * The tab a command asked for while the page was not loaded (a new panel, or a hidden one whose
   * page was dropped): sent when the page says it is ready, then forgotten, so a later reload keeps
   * the tab the user chose.
   */
  private pendingTab: WorkbenchTab | undefined;
  private pageReady = false;

  static show(deps: WorkbenchDeps, tab?: WorkbenchTab): WorkbenchPanel {
    if (WorkbenchPanel.current) {
      WorkbenchPanel.current.panel.reveal();
      if (tab) WorkbenchPanel.current.showTab(tab);
      return WorkbenchPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(WebviewTypes.workbench, 'GPU Workbench', vscode.ViewColumn.Active, {
      ...webviewOptions(deps.extensionUri),
      retainContextWhenHidden: false,
    });
    const created = new WorkbenchPanel(panel, deps);
    if (tab) created.showTab(tab);
    return created;
  }

  static revive(panel: vscode.WebviewPanel, deps: WorkbenchDeps): WorkbenchPanel {
    panel.webview.options = webviewOptions(deps.extensionUri);
    return new WorkbenchPanel(panel, deps);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: WorkbenchDeps,
  ) {
    WorkbenchPanel.current = this;
    this.plan = new PlanSession(deps, (message) => this.post(message));
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'gpu.svg');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      // Without retainContextWhenHidden a hidden page is dropped; it says "ready" again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.pageReady = false;
      }),
    );
    this.render();
    this.loadSolver();
  }

  /** Shows an estimate now, and again when the page (re)loads. */
  showEstimate(estimate: EstimateView): void {
    this.estimate = estimate;
    this.panel.reveal();
    this.post({ type: 'estimate', estimate });
    this.showTab('estimate');
  }

  /** Brings a tab to the front now, or as soon as the page has loaded. */
  showTab(tab: WorkbenchTab): void {
    if (this.pageReady) this.post({ type: 'showTab', tab });
    else this.pendingTab = tab;
  }

  showSuggestion(suggestion: SuggestionView): void {
    this.suggestion = suggestion;
    this.panel.reveal();
    this.post({ type: 'suggestion', suggestion });
    this.showTab('suggest');
  }

  /** Measured against predicted throughput after a benchmark import. */
  showPerformanceChart(chart: PerformanceChartView): void {
    this.performanceChart = chart;
    this.panel.reveal();
    this.post({ type: 'performanceChart', chart });
    this.showTab('suggest');
  }

  render(): void {
    this.pageReady = false;
    this.panel.webview.html = renderWorkbenchHtml(this.panel.webview, this.deps.extensionUri);
  }

  dispose(): void {
    if (WorkbenchPanel.current === this) WorkbenchPanel.current = undefined;
    // A solve in flight stops with the panel; the next panel starts a fresh worker.
    this.deps.disposeSolver();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private loadSolver(): void {
    this.deps
      .solver()
      .start()
      .then(
        (info) => this.setSolverState({ state: 'ready', glpkVersion: info.glpkVersion, loadMs: info.loadMs }),
        (error: unknown) => {
          logError(this.deps.log, 'Solver failed to load', error);
          this.setSolverState({ state: 'failed', message: errorMessage(error) });
        },
      );
  }

  private setSolverState(state: SolverState): void {
    this.solverState = state;
    this.post({ type: 'solverState', solver: state });
  }

  private receive(message: unknown): void {
    if (!isWebviewToExtension(message)) {
      this.deps.log.warn(
        `Dropped a malformed message from the workbench webview: ${JSON.stringify(message)?.slice(0, 200)}`,
      );
      return;
    }
    this.handle(message);
  }

  private handle(message: WebviewToExtension): void {
    switch (message.type) {
      case 'ready':
        this.pageReady = true;
        this.post({ type: 'solverState', solver: this.solverState });
        // The catalog is built on first use, not at activation (it computes every model's architecture).
        void import('../../core/catalog/models.ts').then(({ MODEL_CATALOG }) =>
          this.post({ type: 'catalogModels', ids: MODEL_CATALOG.map((m) => m.id) }),
        );
        if (this.estimate) this.post({ type: 'estimate', estimate: this.estimate });
        if (this.suggestion) this.post({ type: 'suggestion', suggestion: this.suggestion });
        if (this.pendingTab) this.post({ type: 'showTab', tab: this.pendingTab });
        this.pendingTab = undefined;
        if (this.performanceChart) this.post({ type: 'performanceChart', chart: this.performanceChart });
        void this.plan.restore(message.problemText);
        return;
      case 'solvePlan':
        void this.plan.solve(message.text);
        return;
      case 'planDraft':
        this.plan.draft(message.text);
        return;
      case 'solveLp':
        void solveUserLp(this.deps, message.text).then((result) => this.post({ type: 'lpResult', result }));
        return;
      case 'cancelSolve':
        this.plan.cancel();
        return;
      case 'exportPlan':
        void this.plan.export(message.format);
        return;
      case 'planPoolFromInventory':
        void this.plan.poolFromInventory(message.text);
        return;
      case 'loadPlanExample':
        void this.plan.loadExample(message.example);
        return;
      default:
        assertNever(message);
    }
  }

  private post(message: ExtensionToWebview): void {
    void this.panel.webview.postMessage(message);
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** A fresh 128-bit nonce per render; the CSP allows no inline script, no eval, no remote origin. */
export function renderWorkbenchHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return workbenchHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'workbench.css')).toString(),
  });
}
