/** The right-size quick fix: the GPU count and the engine's parallelism flag (or the replicas) rewritten. */
import * as vscode from 'vscode';
import type { Finding } from '../../core/lint/types.ts';

export const RIGHT_SIZE_RULE_ID = 'gpu-right-size';

/** What the provider needs of the diagnostics: the current version's findings. */
export interface RightSizeFindings {
  findingsFor(document: vscode.TextDocument): Finding[];
}

export class RightSizeCodeActions implements vscode.CodeActionProvider {
  constructor(private readonly diagnostics: RightSizeFindings) {}

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const findings = this.diagnostics.findingsFor(document);
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const code = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : undefined;
      if (code !== RIGHT_SIZE_RULE_ID) continue;
      const offset = document.offsetAt(diagnostic.range.start);
      const finding = findings.find((f) => f.span.start === offset && f.message === diagnostic.message);
      if (!finding?.fix) continue;
      const action = new vscode.CodeAction(finding.fix.title, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      for (const e of finding.fix.edits)
        action.edit.replace(
          document.uri,
          new vscode.Range(document.positionAt(e.span.start), document.positionAt(e.span.end)),
          e.newText,
        );
      action.diagnostics = [diagnostic];
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }
}
