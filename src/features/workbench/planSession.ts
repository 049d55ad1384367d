/** The workbench's packing plan: solve in the GLPK worker with cancel, then export. */
import * as vscode from 'vscode';
import { PLAN_MEMENTO_KEY } from '../../constants.ts';
import type { ExportFormat } from '../../core/solver/outcomeExport.ts';
import { readCalibrationFile } from '../../node/calibrationFile.ts';
import { isPlanState, MAX_PROBLEM_TEXT, type ExtensionToWebview, type PlanState } from '../../shared/protocol.ts';
import type { WorkbenchDeps } from './deps.ts';

export class PlanSession {
  private state: PlanState = { state: 'idle' };
  /**
   * The shown plan in every export format, made when it was solved and kept with it, so a plan
   * restored after a window reload exports the very placement the page shows (solving again could
   * pick another placement of the same cost). Undefined when the shown plan has nothing to export.
   */
  private exports: Record<ExportFormat, string> | undefined;
  private problemText: string | undefined;
  private generation = 0;

  private readonly post: (message: ExtensionToWebview) => void;

  constructor(
    private readonly deps: WorkbenchDeps,
    post: (message: ExtensionToWebview) => void,
  ) {
    // The problem and the last finished plan are kept in the workspace's storage, so a window
    // reload (a new extension host) comes back to them.
    this.post = (message) => {
      post(message);
      if (message.type === 'planProblem' || (message.type === 'planState' && message.plan.state === 'done'))
        this.persist();
    };
    const kept = deps.memento.get<{ problemText?: unknown; plan?: unknown; exports?: unknown }>(PLAN_MEMENTO_KEY);
    if (typeof kept?.problemText === 'string' && kept.problemText.length <= MAX_PROBLEM_TEXT)
      this.problemText = kept.problemText;
    if (isPlanState(kept?.plan) && kept.plan.state === 'done') {
      this.state = kept.plan;
      this.exports = isKeptExports(kept.exports) ? kept.exports : undefined;
    }
  }

  /**
   * Sends the problem to start from and the current state (on every page load). The extension's
   * text is the newest (the page sends its drafts as they are typed); the page's own copy only
   * counts when the extension has none (a page kept from an older version).
   */
  async restore(kept?: string): Promise<void> {
    this.problemText ??= kept ?? (await this.exampleText('packing'));
    this.post({ type: 'planProblem', text: this.problemText, restored: true });
    this.post({ type: 'planState', plan: this.state });
  }

  /** The problem as typed, not solved yet: kept, so a hidden page or a window reload loses no edit. */
  draft(text: string): void {
    this.problemText = text;
    this.persist();
  }

  /** The one record kept in workspace storage: the problem, the last finished plan and its exports. */
  private persist(): void {
    const done = this.state.state === 'done';
    void this.deps.memento.update(PLAN_MEMENTO_KEY, {
      problemText: this.problemText,
      plan: done ? this.state : undefined,
      exports: done ? this.exports : undefined,
    });
  }

  async solve(text: string): Promise<void> {
    const generation = ++this.generation;
    this.problemText = text;
    const [{ parsePlanProblem, solvePlan }, { outcomeView }, { exportAll }] = await Promise.all([
      import('../../core/solver/solvePlan.ts'),
      import('./views.ts'),
      import('../../core/solver/outcomeExport.ts'),
    ]);
    const finish = (plan: PlanState, exports?: Record<ExportFormat, string>) => {
      if (generation !== this.generation) return; // a newer solve or a cancel took over
      this.state = plan;
      this.exports = exports;
      this.post({ type: 'planState', plan });
    };
    const parsed = parsePlanProblem(text);
    if (!parsed.ok) {
      finish({ state: 'done', plan: { status: 'error', message: parsed.message, gpus: [] } });
      return;
    }
    finish({ state: 'solving' });
    const started = Date.now();
    // Provisioning's per-replica throughput uses the workspace's calibration where it has a fit.
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const calibration = workspace ? await readCalibrationFile(workspace) : undefined;
    const outcome = await solvePlan(
      parsed.value,
      (program, options) => this.deps.solver().solve(program, options),
      this.deps.timeLimitSeconds(),
      { calibration: calibration?.file },
      // Sizing many models takes seconds of CPU: let the extension host answer in between.
      () => new Promise((resolve) => setImmediate(resolve)),
    );
    this.deps.log.info(`Plan (${outcome.kind}): ${outcome.result.status} in ${Date.now() - started} ms`);
    if (generation !== this.generation) return;
    const view = outcomeView(outcome);
    if (outcome.kind === 'packing') {
      // The third method on the same problem: exact where it is small enough, timed like the MIP.
      const { solvePackingDp } = await import('../../core/solver/dpPacking.ts');
      const started = performance.now();
      const dp = solvePackingDp(outcome.problem);
      const ms = performance.now() - started;
      view.mipMs = outcome.result.solveMs;
      view.dp = dp.ok ? { costPerHour: dp.costPerHour, gpusUsed: dp.gpusUsed, ms, note: 'exact' } : { note: dp.reason };
    }
    finish({ state: 'done', plan: view }, exportAll(outcome));
  }

  cancel(): void {
    this.generation++;
    // Stopping the worker is the only way to stop GLPK mid-solve; the next solve starts a fresh one.
    this.deps.disposeSolver();
    this.exports = undefined;
    this.state = {
      state: 'done',
      plan: { status: 'cancelled', message: 'Cancelled: the solver was stopped.', gpus: [] },
    };
    this.post({ type: 'planState', plan: this.state });
  }

  async export(format: ExportFormat): Promise<void> {
    const content = this.exports?.[format];
    if (content === undefined) {
      void vscode.window.showInformationMessage('Solve a plan first: there is nothing to export yet.');
      return;
    }
    // Beside the workbench (which stays in view), named for what it is; the name's extension sets the language.
    const name = { json: 'gpu-plan.json', kubernetes: 'gpu-plan-deployments.yaml', vllm: 'gpu-plan-vllm-serve.sh' }[
      format
    ];
    const uri = vscode.Uri.from({ scheme: 'untitled', path: name });
    const document = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    // An export opened before is replaced, not appended to.
    edit.replace(uri, new vscode.Range(0, 0, document.lineCount, 0), content);
    await vscode.workspace.applyEdit(edit);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  }

  /** Puts the inventory's GPUs in the problem as its pool, keeping the models the user typed. */
  async poolFromInventory(text: string): Promise<void> {
    const { poolFromInventory } = await import('../../core/solver/pool.ts');
    const inventory = this.deps.inventory();
    const pool = inventory ? poolFromInventory(inventory) : [];
    if (pool.length === 0) {
      void vscode.window.showInformationMessage(
        inventory
          ? 'The GPUs view sees no reachable GPU to plan with: add an SSH host or a Prometheus URL, or type the pool.'
          : 'The GPUs view has not polled yet: open it (or run "Refresh GPUs") and try again.',
      );
      return;
    }
    let problem: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      problem =
        typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>)
          : {};
    } catch {
      problem = {};
    }
    // Everything the user typed stays; only the pool changes (the hosts are noted for checking).
    const gpus = pool.map(({ hosts, ...g }) => ({ ...g, hosts: hosts.join(', ') }));
    this.problemText = `${JSON.stringify({ objective: 'cost', models: [], ...problem, gpus }, null, 2)}\n`;
    this.post({ type: 'planProblem', text: this.problemText });
  }

  async loadExample(example: 'packing' | 'provisioning'): Promise<void> {
    this.problemText = await this.exampleText(example);
    this.post({ type: 'planProblem', text: this.problemText });
  }

  private async exampleText(example: 'packing' | 'provisioning'): Promise<string> {
    try {
      const bytes = await vscode.workspace.fs.readFile(
        vscode.Uri.joinPath(
          this.deps.extensionUri,
          'media',
          example === 'packing' ? 'example-plan.json' : 'example-provisioning.json',
        ),
      );
      return new TextDecoder().decode(bytes);
    } catch {
      return '{\n  "objective": "cost",\n  "gpus": [],\n  "models": []\n}\n';
    }
  }
}

/** Exports read back from workspace storage: one string per format (a record from an older version has none). */
function isKeptExports(value: unknown): value is Record<ExportFormat, string> {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (['json', 'kubernetes', 'vllm'] as const).every((f) => typeof record[f] === 'string');
}
