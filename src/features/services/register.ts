/** The Model services view beside the GPUs view; it polls the engines only while it is visible. */
import * as vscode from 'vscode';
import type { Inventory } from '../../core/gpu/inventory.ts';
import { Commands, Secrets, Views } from '../../constants.ts';
import type { PodService } from '../../node/podServices.ts';
import { setting } from '../config/settings.ts';
import type { LocalService } from '../../node/localServices.ts';
import { logError } from '../log/logError.ts';
import { gpusByPid, withRates } from './serviceRows.ts';
import { ServicesTreeProvider } from './servicesTreeProvider.ts';

const REFRESH_MS = 5000;

/** Pods from the configured Prometheus; none when it is not set (or does not answer: logged). */
async function pods(secrets: vscode.SecretStorage, log: vscode.LogOutputChannel): Promise<PodService[]> {
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
  if (!found.ok) log.warn(`Model services from Prometheus: ${found.message}`);
  return found.ok ? found.value : [];
}

export function registerServices(
  secrets: vscode.SecretStorage,
  log: vscode.LogOutputChannel,
  inventory: () => Inventory | undefined,
  onInventory: vscode.Event<Inventory | undefined>,
): vscode.Disposable {
  const tree = new ServicesTreeProvider();
  const view = vscode.window.createTreeView(Views.services, { treeDataProvider: tree });
  let previous = new Map<number, LocalService>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  const refresh = async () => {
    if (running || !vscode.workspace.isTrusted) return;
    running = true;
    try {
      const { localServices } = await import('../../node/localServices.ts');
      const byPid = gpusByPid(inventory());
      const [found, inPods] = await Promise.all([localServices([...byPid.keys()]), pods(secrets, log)]);
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
    clearInterval(timer);
    timer = undefined;
    if (visible) {
      void refresh();
      timer = setInterval(() => void refresh(), REFRESH_MS);
    }
  };
  if (view.visible) watch(true);
  return vscode.Disposable.from(
    tree,
    view,
    view.onDidChangeVisibility((e) => watch(e.visible)),
    onInventory(() => {
      if (view.visible) void refresh();
    }),
    vscode.commands.registerCommand(Commands.refreshServices, () => refresh()),
    { dispose: () => clearInterval(timer) },
  );
}
