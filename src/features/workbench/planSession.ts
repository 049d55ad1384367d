/** The workbench's packing plan: solve in the GLPK worker with cancel, then export. */
import * as vscode from 'vscode';
import type { PackingResult } from '../../core/solver/packing.ts';
import type { PackingProblem } from '../../core/solver/problem.ts';
import { readCalibrationFile } from '../../node/calibrationFile.ts';
import { isPlanState, MAX_PROBLEM_TEXT, type ExtensionToWebview, type PlanState } from '../../shared/protocol.ts';
import type { WorkbenchDeps } from './deps.ts';

const PLAN_MEMENTO_KEY = 'gpuWorkbench.plan';

export class PlanSession {
  private state: PlanState = { state: 'idle' };
  private last: { problem: PackingProblem; result: PackingResult } | undefined;
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
      if (message.type === 'planProblem' || (message.type === 'planState' && message.plan.state === 'done')) {
        void deps.memento.update(PLAN_MEMENTO_KEY, {
          problemText: this.problemText,
          plan: this.state.state === 'done' ? this.state : undefined,
        });
      }
    };
    const kept = deps.memento.get<{ problemText?: unknown; plan?: unknown }>(PLAN_MEMENTO_KEY);
    if (typeof kept?.problemText === 'string' && kept.problemText.length <= MAX_PROBLEM_TEXT)
      this.problemText = kept.problemText;
    if (isPlanState(kept?.plan) && kept.plan.state === 'done') this.state = kept.plan;
  }

  /** Sends the problem to start from and the current state (on every page load). */
  async restore(kept?: string): Promise<void> {
    this.problemText ??= kept ?? (await this.exampleText('packing'));
    this.post({ type: 'planProblem', text: this.problemText });
    this.post({ type: 'planState', plan: this.state });
  }

  async solve(text: string): Promise<void> {
    const generation = ++this.generation;
    this.problemText = text;
    const [{ parsePlanProblem, solvePlan }, { outcomeView }] = await Promise.all([
      import('../../core/solver/solvePlan.ts'),
      import('./views.ts'),
    ]);
    const finish = (plan: PlanState) => {
      if (generation !== this.generation) return; // a newer solve or a cancel took over
      this.state = plan;
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
    );
    this.deps.log.info(`Plan (${outcome.kind}): ${outcome.result.status} in ${Date.now() - started} ms`);
    if (generation !== this.generation) return;
    // Only a placement can be exported; a provisioning result is a fleet.
    this.last = outcome.kind === 'packing' ? { problem: outcome.problem, result: outcome.result } : undefined;
    finish({ state: 'done', plan: outcomeView(outcome) });
  }

  cancel(): void {
    this.generation++;
    // Stopping the worker is the only way to stop GLPK mid-solve; the next solve starts a fresh one.
    this.deps.disposeSolver();
    this.state = {
      state: 'done',
      plan: { status: 'cancelled', message: 'Cancelled: the solver was stopped.', gpus: [] },
    };
    this.post({ type: 'planState', plan: this.state });
  }

  async export(format: 'json' | 'kubernetes' | 'vllm'): Promise<void> {
    if (!this.last?.result.placement) {
      void vscode.window.showInformationMessage('Solve a plan first: there is nothing to export yet.');
      return;
    }
    const { exportKubernetes, exportVllmCommands, planJson } = await import('../../core/solver/planExport.ts');
    const { problem, result } = this.last;
    const content =
      format === 'json'
        ? JSON.stringify(planJson(result), null, 2)
        : format === 'kubernetes'
          ? exportKubernetes(problem, result)
          : exportVllmCommands(problem, result);
    const language = format === 'json' ? 'json' : format === 'kubernetes' ? 'yaml' : 'shellscript';
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content, language }), {
      preview: false,
    });
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
