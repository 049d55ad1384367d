/**
 * The Model services view beside the GPUs view. It rides the GPU poll: while it is visible it
 * counts as a watcher of the inventory (so gpuWorkbench.refreshIntervalSeconds applies, 0 included),
 * and each new inventory reads the engines found among its GPU processes.
 */
import * as vscode from 'vscode';
import { Commands, Secrets, Views } from '../../constants.ts';
import type { PodService } from '../../node/podServices.ts';
import { setting } from '../config/settings.ts';
import type { LocalService } from '../../node/localServices.ts';
import type { InventoryController } from '../gpus/inventoryController.ts';
import { logError } from '../log/logError.ts';
import { registerRunCommands } from './runCommands.ts';
import { gpusByPid, withRates } from './serviceRows.ts';
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

export function registerServices(
  secrets: vscode.SecretStorage,
  log: vscode.LogOutputChannel,
  controller: InventoryController,
): vscode.Disposable {
  const tree = new ServicesTreeProvider();
  const view = vscode.window.createTreeView(Views.services, { treeDataProvider: tree });
  let previous = new Map<number, LocalService>();
  let running = false;
  const warned: { last?: string } = {};

  const refresh = async () => {
    if (running || !vscode.workspace.isTrusted) return;
    running = true;
    try {
      const { localServices } = await import('../../node/localServices.ts');
      const byPid = gpusByPid(controller.inventory);
      const [found, inPods] = await Promise.all([localServices([...byPid.keys()]), pods(secrets, log, warned)]);
      tree.update(
        found.map((s) => withRates(s, byPid.get(s.pid) ?? [], previous.get(s.pid))),
        inPods,
      );
      previous = new Map(found.map((s) => [s.pid, s]));
      view.message =
        found.length + inPods.length === 0
          ? 'No vLLM, SGLang or TGI server among this machine\u2019s GPU processes or in Prometheus.'
          : undefined;
    } catch (error) {
      logError(log, 'Model services refresh failed', error);
    } finally {
      running = false;
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
