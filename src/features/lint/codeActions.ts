/** Quick fixes for GPU Workbench diagnostics, and a fix-all source action. */
import * as vscode from 'vscode';
import { Commands } from '../../constants.ts';
import { disableFileEdit, disableNextLineEdit } from '../../core/lint/suppressions.ts';
import type { Finding, TextEdit } from '../../core/lint/types.ts';
import { DIAGNOSTIC_SOURCE, type LintDiagnostics } from './diagnostics.ts';

/** The quick fix of a finding that wants a GPU type (its command lives in defaultGpu.ts, loaded on use). */
export const SET_DEFAULT_GPU_TITLE = 'Set the default GPU…';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('gpuWorkbench');

export function ruleOf(diagnostic: vscode.Diagnostic): string | undefined {
  return typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : undefined;
}

function replaceAll(workspaceEdit: vscode.WorkspaceEdit, document: vscode.TextDocument, edits: readonly TextEdit[]) {
  for (const e of edits)
    workspaceEdit.replace(
      document.uri,
      new vscode.Range(document.positionAt(e.span.start), document.positionAt(e.span.end)),
      e.newText,
    );
}

/** The finding's fix as the preferred quick fix of its diagnostic (the linter's and the right-sizer's). */
export function fixAction(
  document: vscode.TextDocument,
  finding: Finding,
  diagnostic: vscode.Diagnostic,
): vscode.CodeAction | undefined {
  if (!finding.fix) return undefined;
  const action = new vscode.CodeAction(finding.fix.title, vscode.CodeActionKind.QuickFix);
  action.edit = new vscode.WorkspaceEdit();
  replaceAll(action.edit, document, finding.fix.edits);
  action.diagnostics = [diagnostic];
  action.isPreferred = true;
  return action;
}

export class LintCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND];

  constructor(private readonly diagnostics: LintDiagnostics) {}

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const findings = this.diagnostics.findingsFor(document);
    const actions: vscode.CodeAction[] = [];
    if (context.only && FIX_ALL_KIND.contains(context.only)) return this.fixAll(document, findings);
    for (const diagnostic of context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE)) {
      const ruleId = ruleOf(diagnostic);
      const offset = document.offsetAt(diagnostic.range.start);
      const finding = findings.find((f) => f.ruleId === ruleId && f.span.start === offset);
      if (!ruleId || !finding) continue;
      const fix = fixAction(document, finding, diagnostic);
      if (fix) actions.push(fix);
      // No edit can name the GPU a compose file or a command line runs on: the default GPU setting can.
      if (finding.missing === 'gpu-type') {
        const setGpu = new vscode.CodeAction(SET_DEFAULT_GPU_TITLE, vscode.CodeActionKind.QuickFix);
        setGpu.command = { command: Commands.setDefaultGpu, title: SET_DEFAULT_GPU_TITLE };
        setGpu.diagnostics = [diagnostic];
        setGpu.isPreferred = !finding.fix;
        actions.push(setGpu);
      }
      const line = disableNextLineEdit(document.getText(), offset, ruleId);
      const disableLine = new vscode.CodeAction(`Disable ${ruleId} for this line`, vscode.CodeActionKind.QuickFix);
      disableLine.edit = new vscode.WorkspaceEdit();
      disableLine.edit.insert(document.uri, document.positionAt(line.offset), line.text);
      disableLine.diagnostics = [diagnostic];
      const file = disableFileEdit(document.getText(), ruleId);
      const disableFile = new vscode.CodeAction(`Disable ${ruleId} in this file`, vscode.CodeActionKind.QuickFix);
      disableFile.edit = new vscode.WorkspaceEdit();
      disableFile.edit.insert(document.uri, document.positionAt(file.offset), file.text);
      disableFile.diagnostics = [diagnostic];
      const docs = new vscode.CodeAction(`Show documentation for ${ruleId}`, vscode.CodeActionKind.QuickFix);
      docs.command = {
        command: 'markdown.showPreview',
        title: 'Show rule documentation',
        arguments: [this.diagnostics.docsUri(`${ruleId}.md`)],
      };
      actions.push(disableLine, disableFile, docs);
    }
    return actions;
  }

  private fixAll(document: vscode.TextDocument, findings: Finding[]): vscode.CodeAction[] {
    const workspaceEdit = new vscode.WorkspaceEdit();
    let lastEnd = -1;
    let count = 0;
    // Non-overlapping fixes only, in document order; the rest are fixed on the next run.
    for (const finding of [...findings].sort((a, b) => a.span.start - b.span.start)) {
      const edits = finding.fix?.edits ?? [];
      if (edits.length === 0 || edits.some((e) => e.span.start <= lastEnd)) continue;
      replaceAll(workspaceEdit, document, edits);
      lastEnd = Math.max(...edits.map((e) => e.span.end));
      count++;
    }
    if (count === 0) return [];
    const action = new vscode.CodeAction(`Fix all GPU Workbench problems (${count})`, FIX_ALL_KIND);
    action.edit = workspaceEdit;
    return [action];
  }
}
