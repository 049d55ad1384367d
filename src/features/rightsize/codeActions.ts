/** The right-size quick fix: the GPU count and the engine's parallelism flag (or the replicas) rewritten. */
import * as vscode from 'vscode';
import type { Finding } from '../../core/lint/types.ts';
import { fixAction, ruleOf } from '../lint/codeActions.ts';

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
      if (ruleOf(diagnostic) !== RIGHT_SIZE_RULE_ID) continue;
      const offset = document.offsetAt(diagnostic.range.start);
      const finding = findings.find((f) => f.span.start === offset && f.message === diagnostic.message);
      const action = finding && fixAction(document, finding, diagnostic);
      if (action) actions.push(action);
    }
    return actions;
  }
}
