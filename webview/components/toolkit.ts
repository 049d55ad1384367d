/**
 * The only file that knows about @vscode/webview-ui-toolkit. The rest of the webview asks for
 * elements by role, so the toolkit (deprecated upstream in 2025) can be replaced here alone.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDivider,
  vsCodeProgressRing,
  vsCodeTag,
  vsCodeTextArea,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeDivider(),
    vsCodeProgressRing(),
    vsCodeTag(),
    vsCodeTextArea(),
  );
  registered = true;
}

export function button(
  label: string,
  onClick: () => void,
  appearance: 'primary' | 'secondary' = 'primary',
): HTMLElement {
  const element = document.createElement('vscode-button');
  element.setAttribute('appearance', appearance);
  element.textContent = label;
  element.addEventListener('click', onClick);
  return element;
}

export function progressRing(label: string): HTMLElement {
  const element = document.createElement('vscode-progress-ring');
  element.setAttribute('aria-label', label);
  return element;
}

export function tag(text: string): HTMLElement {
  const element = document.createElement('vscode-tag');
  element.textContent = text;
  return element;
}

export function divider(): HTMLElement {
  return document.createElement('vscode-divider');
}

export function textArea(label: string, value: string, rows: number): HTMLElement {
  const element = document.createElement('vscode-text-area') as HTMLElement & { value: string };
  element.setAttribute('rows', String(rows));
  element.setAttribute('resize', 'vertical');
  element.textContent = label;
  element.value = value;
  return element;
}
