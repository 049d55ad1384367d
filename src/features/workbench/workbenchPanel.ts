import * as vscode from 'vscode';
import { WebviewTypes } from '../../constants.ts';
import { SELF_TEST_PROGRAM } from '../../core/solver/selfTest.ts';
import {
  assertNever,
  isWebviewToExtension,
  type EstimateView,
  type ExtensionToWebview,
  type SolverState,
  type PerformanceChartView,
  type SuggestionView,
  type WebviewToExtension,
} from '../../shared/protocol.ts';
import type { WorkbenchDeps } from './deps.ts';
import { workbenchHtml } from './html.ts';
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

  static show(deps: WorkbenchDeps): WorkbenchPanel {
    if (WorkbenchPanel.current) {
      WorkbenchPanel.current.panel.reveal();
      return WorkbenchPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(WebviewTypes.workbench, 'GPU Workbench', vscode.ViewColumn.Active, {
      ...webviewOptions(deps.extensionUri),
      retainContextWhenHidden: false,
    });
    return new WorkbenchPanel(panel, deps);
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
    );
    this.render();
    this.loadSolver();
  }

  /** Shows an estimate now, and again when the page (re)loads. */
  showEstimate(estimate: EstimateView): void {
    this.estimate = estimate;
    this.panel.reveal();
    this.post({ type: 'estimate', estimate });
  }

  showSuggestion(suggestion: SuggestionView): void {
    this.suggestion = suggestion;
    this.panel.reveal();
    this.post({ type: 'suggestion', suggestion });
  }

  /** Measured against predicted throughput after a benchmark import. */
  showPerformanceChart(chart: PerformanceChartView): void {
    this.performanceChart = chart;
    this.panel.reveal();
    this.post({ type: 'performanceChart', chart });
  }

  render(): void {
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
        this.post({ type: 'solverState', solver: this.solverState });
        if (this.estimate) this.post({ type: 'estimate', estimate: this.estimate });
        if (this.suggestion) this.post({ type: 'suggestion', suggestion: this.suggestion });
        if (this.performanceChart) this.post({ type: 'performanceChart', chart: this.performanceChart });
        void this.plan.restore(message.problemText);
        return;
      case 'runSolverSelfTest':
        void this.runSelfTest();
        return;
      case 'solvePlan':
        void this.plan.solve(message.text);
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

  private async runSelfTest(): Promise<void> {
    try {
      const result = await this.deps
        .solver()
        .solve(SELF_TEST_PROGRAM, { timeLimitSeconds: this.deps.timeLimitSeconds(), mipGap: 0 });
      this.post({ type: 'solverSelfTest', outcome: { ok: true, ...result } });
    } catch (error) {
      logError(this.deps.log, 'Solver self-test failed', error);
      this.post({ type: 'solverSelfTest', outcome: { ok: false, message: errorMessage(error) } });
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
