/** The GPUs view, its status-bar summary and commands, and the poll behind them. */
import * as vscode from 'vscode';
import { Commands, Views } from '../../constants.ts';
import { affects } from '../config/settings.ts';
import { logError } from '../log/logError.ts';
import { registerGpuCommands } from './gpuCommands.ts';
import { createGpuStatusBar } from './gpuStatusBar.ts';
import { GpuTreeProvider } from './gpuTreeProvider.ts';
import { InventoryController } from './inventoryController.ts';

export function registerGpus(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): { controller: InventoryController; disposable: vscode.Disposable } {
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
    vscode.workspace.onDidGrantWorkspaceTrust(() => void refreshGpus()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!affects(event, 'inventory')) return;
      gpuView.message = undefined;
      void controller.refresh();
    }),
  );
  if (gpuView.visible) controller.setWatching('view', true);
  return { controller, disposable };
}
