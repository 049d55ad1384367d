/** The GPUs view, its status-bar summary and commands, and the poll behind them. */
import * as vscode from 'vscode';
import { Commands, Views } from '../../constants.ts';
import { affects } from '../config/settings.ts';
import { logError } from '../log/logError.ts';
import { registerGpuCommands } from './gpuCommands.ts';
import { createGpuStatusBar } from './gpuStatusBar.ts';
import { GpuTreeProvider } from './gpuTreeProvider.ts';
import { InventoryController } from './inventoryController.ts';

/** What a service row's GPU passes to the reveal command. */
interface GpuRefArg {
  hostId: string;
  uuid?: string;
  index?: number;
}

export function registerGpus(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): { controller: InventoryController; tree: GpuTreeProvider; disposable: vscode.Disposable } {
  const controller = new InventoryController(context.extensionPath, context.secrets, log);
  const tree = new GpuTreeProvider();
  const gpuView = vscode.window.createTreeView(Views.gpus, { treeDataProvider: tree });
  const refreshGpus = () =>
    vscode.window
      .withProgress({ location: { viewId: Views.gpus } }, () => controller.refresh())
      .then(undefined, (error: unknown) => logError(log, 'GPU refresh failed', error));

  const disposable = vscode.Disposable.from(
    controller,
    tree,
    gpuView,
    controller.onDidChange((inventory) => {
      tree.update(inventory);
      const gpus = inventory?.hosts.reduce((n, h) => n + h.gpus.length, 0) ?? 0;
      // With nothing found, say what was tried above the view's welcome links. Looking up the tools
      // touches the disk: once per empty spell or settings change, not on every poll.
      if (!inventory || gpus > 0) gpuView.message = undefined;
      else gpuView.message ??= `${controller.lookedFor()}.`;
    }),
    gpuView.onDidChangeVisibility((event) => controller.setWatching('view', event.visible)),
    createGpuStatusBar(controller),
    registerGpuCommands(controller, context.secrets, log),
    vscode.commands.registerCommand(Commands.refreshGpus, refreshGpus),
    vscode.commands.registerCommand(Commands.revealServiceGpu, async (ref?: GpuRefArg) => {
      const node = ref && tree.findGpu(ref.hostId, ref.uuid, ref.index);
      if (!node) {
        void vscode.window.showInformationMessage('That GPU is not in the GPUs view (yet): refresh the GPUs.');
        return;
      }
      await gpuView.reveal(node, { select: true, focus: true, expand: true });
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void refreshGpus()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!affects(event, 'inventory')) return;
      gpuView.message = undefined;
      void controller.refresh();
    }),
  );
  if (gpuView.visible) controller.setWatching('view', true);
  return { controller, tree, disposable };
}
