import * as vscode from 'vscode';
import { FOCUS_GPUS_VIEW } from '../../constants.ts';
import { formatSummary, summarizeInventory, type Inventory } from '../../core/gpu/inventory.ts';
import type { InventoryController } from './inventoryController.ts';

/** "GPU 2/8 busy, 61 GiB free" on the left of the status bar; a click opens the GPUs view. */
export function createGpuStatusBar(controller: InventoryController): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('gpuWorkbench.summary', vscode.StatusBarAlignment.Left, 50);
  item.name = 'GPU Workbench';
  item.command = FOCUS_GPUS_VIEW;
  let shown = false;
  const watch = () => controller.setWatching('statusBar', shown && vscode.window.state.focused);
  const show = (inventory: Inventory | undefined) => {
    const summary = inventory ? summarizeInventory(inventory) : undefined;
    shown = Boolean(summary && (summary.gpus > 0 || summary.unreachableHosts > 0));
    if (!summary || !shown) {
      item.hide();
      watch();
      return;
    }
    item.text = `$(circuit-board) ${formatSummary(summary)}`;
    item.tooltip = `${formatSummary(summary)} across ${inventory?.hosts.length} host(s)${summary.unreachableHosts ? `; ${summary.unreachableHosts} unreachable` : ''}. Click to open the GPUs view.`;
    item.show();
    watch();
  };
  return vscode.Disposable.from(item, controller.onDidChange(show), vscode.window.onDidChangeWindowState(watch));
}
