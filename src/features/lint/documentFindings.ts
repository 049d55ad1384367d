/**
 * Findings kept per open document, as diagnostics: the work for a document is debounced (a newer
 * request replaces a pending one), a result for a version the document has moved past is dropped,
 * and each finding links to its rule page. The linter and the right-size check both keep theirs here.
 */
import * as vscode from 'vscode';
import { LineIndex } from '../../core/lint/text.ts';
import type { Finding } from '../../core/lint/types.ts';

export const DIAGNOSTIC_SOURCE = 'GPU Workbench';

const SEVERITY: Record<Finding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export class DocumentFindings implements vscode.Disposable {
  readonly collection: vscode.DiagnosticCollection;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly results = new Map<string, { version: number; findings: Finding[] }>();

  constructor(
    name: string,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.collection = vscode.languages.createDiagnosticCollection(name);
  }

  /** Findings of the document's current version, if it has them. */
  findingsFor(document: vscode.TextDocument): Finding[] {
    const result = this.results.get(document.uri.toString());
    return result && result.version === document.version ? result.findings : [];
  }

  docsUri(page: string): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'docs', 'rules', page);
  }

  toDiagnostic(document: Pick<vscode.TextDocument, 'positionAt'>, finding: Finding): vscode.Diagnostic {
    const range = new vscode.Range(document.positionAt(finding.span.start), document.positionAt(finding.span.end));
    const diagnostic = new vscode.Diagnostic(range, finding.message, SEVERITY[finding.severity]);
    diagnostic.source = DIAGNOSTIC_SOURCE;
    diagnostic.code = { value: finding.ruleId, target: this.docsUri(`${finding.ruleId}.md`) };
    return diagnostic;
  }

  /** Runs `work` on the document after `delayMs`, replacing a run still waiting for it. */
  schedule(
    document: vscode.TextDocument,
    delayMs: number,
    work: (document: vscode.TextDocument) => Promise<unknown>,
  ): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void work(document);
      }, delayMs),
    );
  }

  /** Shows the findings made from `version`; false (nothing shown) when a newer version is on its way. */
  show(document: vscode.TextDocument, version: number, findings: Finding[]): boolean {
    if (document.isClosed || document.version !== version) return false;
    this.results.set(document.uri.toString(), { version, findings });
    this.collection.set(
      document.uri,
      findings.map((f) => this.toDiagnostic(document, f)),
    );
    return true;
  }

  /** Diagnostics for a file read outside an editor (no version to track). */
  showFile(uri: vscode.Uri, text: string, findings: Finding[]): void {
    const index = new LineIndex(text);
    const document = {
      positionAt: (offset: number) => {
        const { line, column } = index.position(offset);
        return new vscode.Position(line - 1, column - 1);
      },
    };
    this.collection.set(
      uri,
      findings.map((f) => this.toDiagnostic(document, f)),
    );
  }

  /** Nothing to show for the document (its pending run, if any, still comes). */
  clear(uri: vscode.Uri): void {
    this.results.delete(uri.toString());
    this.collection.delete(uri);
  }

  /** The document closed: its pending run and its findings go. */
  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.clear(uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.collection.dispose();
  }
}
