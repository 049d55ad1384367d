/** Diagnostics, quick fixes, hovers and the workspace lint. The linter reads files only: it runs in Restricted Mode too. */
import * as vscode from 'vscode';
import { Commands } from '../../constants.ts';
import type { Inventory } from '../../core/gpu/inventory.ts';
import { LintCodeActions } from './codeActions.ts';
import { LintDiagnostics } from './diagnostics.ts';
import { LintHover } from './hover.ts';
import { previewRuleDocs } from './ruleDocs.ts';

const LINT_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', language: 'dockercompose' },
  { scheme: 'file', language: 'shellscript' },
  { scheme: 'file', language: 'dockerfile' },
  { scheme: 'file', pattern: '**/*.pbtxt' },
  // Serving commands in a README's code blocks, as the CLI reads them.
  { scheme: 'file', language: 'markdown' },
  { scheme: 'untitled', language: 'yaml' },
];

export function registerLint(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  inventory: () => Inventory | undefined,
): vscode.Disposable {
  const diagnostics = new LintDiagnostics(context.extensionUri, log);
  return vscode.Disposable.from(
    diagnostics,
    vscode.languages.registerCodeActionsProvider(LINT_SELECTOR, new LintCodeActions(diagnostics), {
      providedCodeActionKinds: LintCodeActions.kinds,
    }),
    vscode.languages.registerHoverProvider(LINT_SELECTOR, new LintHover()),
    previewRuleDocs(vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules')),
    vscode.commands.registerCommand(Commands.lintWorkspace, async () =>
      (await import('./workspaceLint.ts')).lintWorkspace(diagnostics, log),
    ),
    // The setting's change re-lints the open documents (diagnostics.ts, group 'lint').
    vscode.commands.registerCommand(Commands.setDefaultGpu, async () =>
      (await import('./defaultGpu.ts')).setDefaultGpu(inventory),
    ),
  );
}
