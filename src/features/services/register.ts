/**
 * The Model services view beside the GPUs view. It rides the GPU poll: while it is visible it
 * counts as a watcher of the inventory (so gpuWorkbench.refreshIntervalSeconds applies, 0 included),
 * and each new inventory reads the engines found among its GPU processes.
 */
import * as vscode from 'vscode';
import { Commands, PLAN_MEMENTO_KEY, Secrets, Views } from '../../constants.ts';
import type { PodService } from '../../node/podServices.ts';
import { setting } from '../config/settings.ts';
import type { LocalService } from '../../node/localServices.ts';
import type { GpuTreeProvider } from '../gpus/gpuTreeProvider.ts';
import type { InventoryController } from '../gpus/inventoryController.ts';
import { logError } from '../log/logError.ts';
import { registerRunCommands } from './runCommands.ts';
import {
  gpusByPod,
  gpusByProcess,
  processKey,
  serviceLabels,
  shownCost,
  withRates,
  type PlannedFleet,
} from './serviceRows.ts';
import { ServicesTreeProvider } from './servicesTreeProvider.ts';

/** Pods from the configured Prometheus; none when it is not set (or does not answer: logged once per new reason). */
async function pods(
  secrets: vscode.SecretStorage,
  log: vscode.LogOutputChannel,
  warned: { last?: string },
): Promise<PodService[]> {
  const url = setting('prometheusUrl');
  if (!url) return [];
  const [{ prometheusClient }, { podServices }] = await Promise.all([
    import('../../node/prometheusRange.ts'),
    import('../../node/podServices.ts'),
  ]);
  const client = prometheusClient(url, {
    timeoutMs: setting('commandTimeoutSeconds') * 1000,
    token: await secrets.get(Secrets.prometheusToken),
  });
  if (!client.ok) return [];
  const found = await podServices(client.value, Math.floor(Date.now() / 1000));
  const problem = found.ok ? undefined : `Model services from Prometheus: ${found.message}`;
  // Each poll asks again: say a failure once, not every poll while Prometheus is down.
  if (problem && problem !== warned.last) log.warn(problem);
  warned.last = problem;
  return found.ok ? found.value : [];
}

/** Each model's planned output tokens per request, parsed from the stored problem's text (undefined: not a provisioning problem). */
type PlannedModels = { name: string; workload: { outputTokens: number } }[] | undefined;
/** The last problem text parsed: the plan changes rarely, the poll comes every 15 s. */
let parsedProblem: { text: string; models: PlannedModels } | undefined;

async function plannedModels(text: string): Promise<PlannedModels> {
  if (parsedProblem?.text !== text) {
    const { parsePlanProblem } = await import('../../core/solver/solvePlan.ts');
    const problem = parsePlanProblem(text);
    parsedProblem = {
      text,
      models: problem.ok && problem.value.kind === 'provisioning' ? problem.value.problem.models : undefined,
    };
  }
  return parsedProblem.models;
}

/** The stored plan's provisioning rows and each model's planned output tokens per request (workspace storage). */
async function plannedFleet(memento: vscode.Memento): Promise<PlannedFleet | undefined> {
  const kept = memento.get<{ problemText?: unknown; plan?: unknown }>(PLAN_MEMENTO_KEY);
  const plan = kept?.plan as { plan?: { provisioning?: { rows?: unknown } } } | undefined;
  const rows = plan?.plan?.provisioning?.rows;
  if (!Array.isArray(rows) || typeof kept?.problemText !== 'string') return undefined;
  const models = await plannedModels(kept.problemText);
  if (!models) return undefined;
  return {
    rows: rows.filter(
      (r): r is PlannedFleet['rows'][number] =>
        typeof r?.model === 'string' && typeof r?.requestsPerSecond === 'number' && typeof r?.costPerHour === 'number',
    ),
    outputTokens: (model) => models.find((m) => m.name === model)?.workload.outputTokens,
  };
}

/** Engines on the SSH hosts the inventory reached, among each host's GPU processes. */
async function sshServices(controller: InventoryController, log: vscode.LogOutputChannel, warned: Map<string, string>) {
  const ssh = controller.sshOptions();
  const hosts = (controller.inventory?.hosts ?? []).filter((h) => h.source === 'ssh' && h.status.kind === 'ok');
  if (!ssh || hosts.length === 0) return [];
  const { remoteServices } = await import('../../node/remoteServices.ts');
  const found = await Promise.all(
    hosts.map(async (host) => {
      const pids = host.gpus.flatMap((g) => g.processes.map((p) => p.pid));
      const answer = await remoteServices(host.label, pids, ssh);
      const problem = answer.ok ? undefined : `Model services on ${host.label}: ${answer.message}`;
      if (problem && problem !== warned.get(host.id)) log.warn(problem);
      if (problem) warned.set(host.id, problem);
      else warned.delete(host.id);
      return answer.ok ? answer.services.map((s) => ({ ...s, hostId: host.id })) : [];
    }),
  );
  return found.flat();
}

export function registerServices(
  secrets: vscode.SecretStorage,
  memento: vscode.Memento,
  log: vscode.LogOutputChannel,
  controller: InventoryController,
  gpuTree: GpuTreeProvider,
): vscode.Disposable {
  const tree = new ServicesTreeProvider();
  const view = vscode.window.createTreeView(Views.services, { treeDataProvider: tree });
  let previous = new Map<string, LocalService>();
  let running = false;
  // A refresh asked while one runs (a new inventory came in) runs once it ends, not at the next poll.
  let again = false;
  const warned: { last?: string } = {};
  const sshWarned = new Map<string, string>();

  const refresh = async () => {
    if (!vscode.workspace.isTrusted) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    try {
      const [{ localServices }, { findGpu }] = await Promise.all([
        import('../../node/localServices.ts'),
        import('../../core/catalog/gpus.ts'),
      ]);
      const inventory = controller.inventory;
      const byProcess = gpusByProcess(inventory);
      const localPids = [...byProcess.keys()].filter((k) => k.startsWith('local|')).map((k) => Number(k.slice(6)));
      const [local, remote, inPods, plan] = await Promise.all([
        localServices(localPids),
        sshServices(controller, log, sshWarned),
        pods(secrets, log, warned),
        plannedFleet(memento),
      ]);
      const found = [
        ...local.map((s) => ({ ...s, hostId: 'local', host: undefined as string | undefined })),
        ...remote,
      ];
      const price = setting('servicesPricePerGpuHour');
      const catalogPrice = (name: string) => findGpu(name);
      const shown = found.map((s) => {
        const key = processKey(s.hostId, s.pid);
        const gpus = ('gpuPids' in s && s.gpuPids ? s.gpuPids : [s.pid]).flatMap(
          (pid) => byProcess.get(processKey(s.hostId, pid)) ?? [],
        );
        const row = withRates(s, gpus, previous.get(key));
        const model = s.snapshot?.model ?? s.model;
        return { ...row, cost: shownCost(gpus, price, catalogPrice, model, plan, row.generationTokensPerSecond) };
      });
      const byPod = gpusByPod(inventory);
      tree.update(
        shown,
        inPods.map((pod) => {
          const gpus = byPod.get(`${pod.namespace}/${pod.pod}`) ?? [];
          return {
            pod,
            gpus,
            cost: shownCost(gpus, price, catalogPrice, pod.model, plan, pod.generationTokensPerSecond),
          };
        }),
      );
      gpuTree.setServices(serviceLabels(shown));
      previous = new Map(found.map((s) => [processKey(s.hostId, s.pid), s]));
      view.message =
        found.length + inPods.length === 0
          ? 'No vLLM, SGLang or TGI server among the GPU processes (this machine, SSH hosts) or in Prometheus.'
          : undefined;
    } catch (error) {
      logError(log, 'Model services refresh failed', error);
    } finally {
      running = false;
      if (again) void refresh();
    }
  };
  const watch = (visible: boolean) => {
    controller.setWatching('services', visible);
    if (visible) void refresh();
  };
  if (view.visible) watch(true);
  return vscode.Disposable.from(
    tree,
    view,
    view.onDidChangeVisibility((e) => watch(e.visible)),
    controller.onDidChange(() => {
      if (view.visible) void refresh();
    }),
    vscode.commands.registerCommand(Commands.refreshServices, () => refresh()),
    registerRunCommands(controller, log),
  );
}
