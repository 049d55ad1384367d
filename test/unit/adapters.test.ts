/**
 * The editor adapters on a stand-in `vscode` (test/unit/vscodeStub.ts): the plan session's
 * generations, cancel and restore, and the diagnostics' dropping of stale document versions. The
 * e2e suite runs the same classes in a real VS Code; these pin the timing cases it cannot force.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import type { SolveResult } from '../../src/core/solver/workerProtocol.ts';
import type { ExtensionToWebview, PlanState } from '../../src/shared/protocol.ts';
import {
  appliedEdits,
  diagnosticCalls,
  infoMessages,
  events,
  FakeDocument,
  installVscodeStub,
  settingValues,
  Uri,
  window,
  workspace,
} from './vscodeStub.ts';

const repo = resolve(import.meta.dirname, '..', '..');
installVscodeStub(JSON.parse(readFileSync(resolve(repo, 'package.json'), 'utf8')));
const { PlanSession } = await import('../../src/features/workbench/planSession.ts');
// The sources run as CommonJS (tsx) and this file as ESM: the error class must be the sources' own.
const { SolverTimeoutError } = createRequire(import.meta.url)(
  '../../src/core/solver/status.ts',
) as typeof import('../../src/core/solver/status.ts');
const { LintDiagnostics } = await import('../../src/features/lint/diagnostics.ts');
const { InventoryController } = await import('../../src/features/gpus/inventoryController.ts');
const { settingsUnderCursor } = await import('../../src/features/sizing/estimateCommand.ts');
const { findModel } = await import('../../src/core/catalog/models.ts');
const { findGpu } = await import('../../src/core/catalog/gpus.ts');

const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };

/** A problem small enough to read: two models on two 80 GiB GPUs. */
const PROBLEM = JSON.stringify({
  objective: 'cost',
  gpus: [{ type: 'h100-sxm', count: 2, memoryGiB: 80, costPerHour: 4 }],
  models: [{ name: 'chat', memoryGiB: 30, replicas: 2, tp: 1 }],
});

/** A solver whose answers the test releases one by one, and that counts how often it was stopped. */
function controlledSolver() {
  const waiting: { resolve(r: SolveResult): void; reject(e: Error): void }[] = [];
  let disposed = 0;
  return {
    waiting,
    disposed: () => disposed,
    deps: (memento = new Map<string, unknown>()) => ({
      extensionUri: Uri.file('/nowhere'),
      log,
      solver: () => ({
        solve: () => new Promise<SolveResult>((resolve, reject) => waiting.push({ resolve, reject })),
      }),
      disposeSolver: () => void disposed++,
      timeLimitSeconds: () => 5,
      inventory: () => undefined,
      memento: {
        get: (key: string) => memento.get(key),
        update: async (key: string, value: unknown) => void memento.set(key, value),
        keys: () => [...memento.keys()],
      },
    }),
  };
}

const INFEASIBLE: SolveResult = { status: 'infeasible', objective: 0, values: {}, solveMs: 1 };
/**
 * GLPK's answer to PROBLEM's arc-flow model, worked by hand: both 30 GiB replicas on one 80 GiB
 * H100 (one GPU used, z_0 = 1, $4/h): the flow goes 0 -> 30 -> 60 GiB (two item arcs) and then
 * down the loss arc from 60 to the sink; two replicas of the one size class (x_0_0 = 2).
 */
const BOTH_ON_ONE_GPU: SolveResult = {
  status: 'optimal',
  objective: 4,
  values: { z_0: 1, f_0_0_30: 1, f_0_30_30: 1, l_0_60: 1, l_0_30: 0, l_0_0: 0, x_0_0: 2 },
  solveMs: 1,
};

function planStates(posted: ExtensionToWebview[]): PlanState[] {
  return posted.flatMap((m) => (m.type === 'planState' ? [m.plan] : []));
}
const statusOf = (s: PlanState | undefined) => (s?.state === 'done' ? s.plan.status : s?.state);

/** Waits (up to 5 s) for the session's dynamic imports and promise chains to reach a point. */
async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200 && !check(); i++) await sleep(25);
  assert.ok(check(), what);
}

describe('PlanSession (the workbench plan, on a stand-in vscode)', () => {
  test('a newer solve wins: the older solve finishing late never reaches the page', async () => {
    const solver = controlledSolver();
    const posted: ExtensionToWebview[] = [];
    const session = new PlanSession(solver.deps() as never, (m) => posted.push(m));
    const first = session.solve(PROBLEM);
    await until(() => solver.waiting.length === 1, 'the first solve reached the solver');
    const second = session.solve(PROBLEM);
    await until(() => solver.waiting.length === 2, 'the second solve reached the solver');
    solver.waiting[1]!.reject(new SolverTimeoutError(5)); // the newer one ends first, at its time limit
    await second;
    solver.waiting[0]!.resolve(INFEASIBLE); // then the older one answers
    await first;
    const states = planStates(posted);
    assert.equal(statusOf(states.at(-1)), 'timeout');
    assert.ok(!states.some((s) => statusOf(s) === 'infeasible'), 'the stale answer was posted');
  });

  test('cancel stops the solver and says so; the answer that comes after is dropped', async () => {
    const solver = controlledSolver();
    const posted: ExtensionToWebview[] = [];
    const session = new PlanSession(solver.deps() as never, (m) => posted.push(m));
    const solving = session.solve(PROBLEM);
    await until(() => solver.waiting.length === 1, 'the solve reached the solver');
    assert.equal(statusOf(planStates(posted).at(-1)), 'solving');
    session.cancel();
    assert.equal(solver.disposed(), 1, 'the worker was stopped (the only way to stop GLPK mid-solve)');
    solver.waiting[0]!.resolve(INFEASIBLE);
    await solving;
    assert.deepEqual(planStates(posted).map(statusOf), ['solving', 'cancelled']);
  });

  test('a bad problem is an error on the page, and the solver is never asked', async () => {
    const solver = controlledSolver();
    const posted: ExtensionToWebview[] = [];
    const session = new PlanSession(solver.deps() as never, (m) => posted.push(m));
    await session.solve('{"gpus": [], ');
    const last = planStates(posted).at(-1);
    assert.equal(statusOf(last), 'error');
    assert.match(last?.state === 'done' ? last.plan.message : '', /not JSON/);
    assert.equal(solver.waiting.length, 0);
  });

  test('a finished plan and its problem come back in a new session (a window reload)', async () => {
    const solver = controlledSolver();
    const memento = new Map<string, unknown>();
    const before = new PlanSession(solver.deps(memento) as never, () => undefined);
    const solving = before.solve(PROBLEM);
    await until(() => solver.waiting.length === 1, 'the solve reached the solver');
    solver.waiting[0]!.resolve(INFEASIBLE);
    await solving;

    const posted: ExtensionToWebview[] = [];
    const after = new PlanSession(solver.deps(memento) as never, (m) => posted.push(m));
    await after.restore('{"typed": "in the page"}');
    const problem = posted.find((m) => m.type === 'planProblem');
    assert.equal(problem?.type === 'planProblem' && problem.text, PROBLEM, 'the solved problem, not the draft');
    // Marked as the kept one: the page keeps an edit typed since it said "ready" over it.
    assert.equal(problem?.type === 'planProblem' && problem.restored, true);
    assert.equal(statusOf(planStates(posted).at(-1)), 'infeasible');
  });
});

describe('exporting a plan restored after a window reload (on a stand-in vscode)', () => {
  async function solvedThenReloaded(memento: Map<string, unknown>) {
    const solver = controlledSolver();
    const before = new PlanSession(solver.deps(memento) as never, () => undefined);
    const solving = before.solve(PROBLEM);
    await until(() => solver.waiting.length === 1, 'the solve reached the solver');
    solver.waiting[0]!.resolve(BOTH_ON_ONE_GPU);
    await solving;
    const posted: ExtensionToWebview[] = [];
    const after = new PlanSession(solver.deps(memento) as never, (m) => posted.push(m));
    await after.restore();
    return { after, posted };
  }

  test('the restored plan exports the placement it shows, not "Solve a plan first"', async () => {
    const { after, posted } = await solvedThenReloaded(new Map());
    const shown = planStates(posted).at(-1);
    assert.equal(statusOf(shown), 'optimal');
    const messagesBefore = infoMessages.length;
    const editsBefore = appliedEdits.length;
    await after.export('vllm');
    await after.export('kubernetes');
    assert.deepEqual(infoMessages.slice(messagesBefore), [], 'no "Solve a plan first"');
    const [vllm, kubernetes] = appliedEdits.slice(editsBefore);
    assert.equal(vllm?.uri, 'untitled://gpu-plan-vllm-serve.sh');
    // The two replicas share GPU 0: each takes 30 / 80 = 0.375 of it, rounded up to 0.38 (0.76 in all).
    const commands = vllm!.text.split('\n').filter((l) => l.startsWith('CUDA_VISIBLE_DEVICES='));
    assert.equal(commands.length, 2);
    for (const c of commands)
      assert.match(c, /^CUDA_VISIBLE_DEVICES=0 vllm serve "chat" .*--gpu-memory-utilization 0\.38\b/);
    assert.equal(kubernetes?.uri, 'untitled://gpu-plan-deployments.yaml');
    assert.match(kubernetes!.text, /replicas: 2\n/);
    assert.match(kubernetes!.text, /- --gpu-memory-utilization\n\s+- "0\.38"/);
  });

  test('a plan kept by a version without exports says to solve again, and nothing opens', async () => {
    const memento = new Map<string, unknown>();
    await solvedThenReloaded(memento);
    const record = memento.get('gpuWorkbench.plan') as Record<string, unknown>;
    memento.set('gpuWorkbench.plan', { problemText: record.problemText, plan: record.plan });
    const after = new PlanSession(controlledSolver().deps(memento) as never, () => undefined);
    const editsBefore = appliedEdits.length;
    await after.export('json');
    assert.equal(infoMessages.at(-1), 'Solve a plan first: there is nothing to export yet.');
    assert.equal(appliedEdits.length, editsBefore);
  });
});

describe('LintDiagnostics (on a stand-in vscode)', () => {
  const manifest = readFileSync(resolve(repo, 'examples', 'kubernetes', 'vllm-llama-8b-tp2.yaml'), 'utf8');
  // The same Deployment at TP 1 on one GPU: nothing to report.
  const clean = manifest
    .replace('"--tensor-parallel-size", "2"', '"--tensor-parallel-size", "1"')
    .replaceAll('nvidia.com/gpu: 2', 'nvidia.com/gpu: 1');
  const diagnostics = new LintDiagnostics(Uri.file('/ext') as never, log as never);
  after(() => diagnostics.dispose());

  const callsFor = (doc: FakeDocument) => diagnosticCalls.filter((c) => c.uri === doc.uri.toString());

  test('an opened over-provisioned manifest gets its warning', async () => {
    const doc = new FakeDocument(Uri.file('/work/a/deploy.yaml'), manifest);
    workspace.textDocuments.push(doc);
    events.open.fire(doc);
    await until(() => callsFor(doc).length > 0, 'the document was linted');
    assert.match(callsFor(doc).at(-1)!.messages.join('\n'), /fits on 1 .* instead of 2/);
  });

  test('an edit made while a lint runs: the stale result is dropped, the new version is shown', async () => {
    const doc = new FakeDocument(Uri.file('/work/b/deploy.yaml'), manifest);
    const getText = doc.getText.bind(doc);
    let edited = false;
    // The user types the moment the (slow) lint has read the text.
    doc.getText = () => {
      const text = getText();
      if (!edited) {
        edited = true;
        queueMicrotask(() => {
          doc.edit(clean);
          events.change.fire({ document: doc });
        });
      }
      return text;
    };
    workspace.textDocuments.push(doc);
    events.open.fire(doc);
    await until(() => callsFor(doc).length > 0, 'the new version was linted');
    await sleep(400); // past the 300 ms debounce, in case a stale result were still to come
    assert.ok(
      callsFor(doc).every((c) => !c.messages.some((m) => /instead of 2/.test(m))),
      'the over-provisioning warning of the old version was shown',
    );
    assert.deepEqual(callsFor(doc).at(-1)!.messages, []);
  });
});

describe('InventoryController (on a stand-in vscode)', () => {
  test('with no GPU, the view can say what was looked for', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent-gpu-workbench-bin';
    settingValues.set('sshHosts', ['gpu-a', 'gpu-b']);
    try {
      const controller = new InventoryController('/ext', {} as never, log as never);
      const text = controller.lookedFor();
      assert.match(text, /nvidia-smi not on PATH, rocm-smi not on PATH/);
      assert.match(text, /2 SSH hosts/);
      assert.match(text, /no Prometheus URL/);
      assert.match(text, /Kubernetes off/);
      controller.dispose();
    } finally {
      process.env.PATH = path;
      settingValues.delete('sshHosts');
    }
  });
});

describe('Estimate Model Memory from the editor (on a stand-in vscode)', () => {
  test("the command under the cursor gives its own TP and max_model_len, not the engine's defaults", async () => {
    const text = readFileSync(resolve(repo, 'examples', 'kubernetes', 'vllm-llama-8b-tp2.yaml'), 'utf8');
    const at = text.indexOf('meta-llama/Llama-3.1-8B-Instruct') + 3;
    const document = Object.assign(new FakeDocument(Uri.file('/work/d/deploy.yaml'), text), { offsetAt: () => at });
    window.activeTextEditor = { document, selection: { active: {} } };
    try {
      const llama = findModel('meta-llama/Llama-3.1-8B-Instruct')!.architecture;
      const settings = await settingsUnderCursor(llama, findGpu('h100-sxm')!);
      // The file: "--tensor-parallel-size", "2", "--max-model-len", "16000".
      assert.equal(settings?.tp, 2);
      assert.equal(settings?.maxModelLen, 16000);
      // Another model than the one under the cursor: the defaults apply.
      const qwen = findModel('Qwen/Qwen3-32B')!.architecture;
      assert.equal(await settingsUnderCursor(qwen, findGpu('h100-sxm')!), undefined);
    } finally {
      window.activeTextEditor = undefined;
    }
  });
});
