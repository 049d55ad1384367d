/**
 * Rule pages are read in the Markdown preview, never as an editable file of the install folder.
 * The code action opens the preview itself; a diagnostic's code link (in the hover, the Problems
 * panel, the F8 peek) opens its target as a text file, and VS Code has no way to ask a link for a
 * preview (a `command:` target is refused by the hover's link, which opens without allowCommands).
 * So when a rule page becomes the active text editor, it is swapped for its preview.
 */
import * as vscode from 'vscode';

/** Whether the document is one of the extension's rule pages (docs/rules/*.md). */
export function isRuleDoc(uri: vscode.Uri, docsFolder: vscode.Uri): boolean {
  const folder = `${docsFolder.toString().replace(/\/$/, '')}/`;
  const text = uri.toString();
  return text.startsWith(folder) && /^[a-z0-9-]+\.md$/.test(text.slice(folder.length));
}

export function previewRuleDocs(docsFolder: vscode.Uri): vscode.Disposable {
  return vscode.window.onDidChangeActiveTextEditor(async (editor) => {
    const uri = editor?.document.uri;
    if (!uri || !isRuleDoc(uri, docsFolder)) return;
    const tabs = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString());
    await vscode.commands.executeCommand('markdown.showPreview', uri);
    await vscode.window.tabGroups.close(tabs);
  });
}
