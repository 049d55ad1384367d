/** What the workbench panel and its plan session need from the extension, in one place. */
import type * as vscode from 'vscode';
import type { Inventory } from '../../core/gpu/inventory.ts';
import type { GlpkWorkerClient } from '../../node/solverClient.ts';

export interface WorkbenchDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  solver(): GlpkWorkerClient;
  disposeSolver(): void;
  timeLimitSeconds(): number;
  /** The GPUs view's latest inventory, for "Use my GPUs". */
  inventory(): Inventory | undefined;
  /** Workspace storage: the plan's problem and result across window reloads. */
  memento: vscode.Memento;
}
