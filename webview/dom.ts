/** Builds elements from text only: names from inventory or files never become HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tagName: K,
  props: { className?: string; text?: string; id?: string; role?: string | undefined } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tagName);
  if (props.className) element.className = props.className;
  if (props.id) element.id = props.id;
  if (props.role) element.setAttribute('role', props.role);
  if (props.text !== undefined) element.textContent = props.text;
  element.append(...children);
  return element;
}

/**
 * Replaces `parent`'s children and puts the focus (and a text field's caret) back where it was: on
 * the same element where it is still in the page, else on the new element with its id. Messages
 * re-render the page while the user may be typing (the first half second after it opens): without
 * this each one would take the focus away mid-word.
 */
export function replaceKeepingFocus(parent: HTMLElement, ...children: Node[]): void {
  const before = document.activeElement;
  const focused = before instanceof HTMLElement && before !== document.body && parent.contains(before) ? before : null;
  const caret =
    focused instanceof HTMLInputElement && focused.type === 'text'
      ? { start: focused.selectionStart, end: focused.selectionEnd }
      : undefined;
  parent.replaceChildren(...children);
  if (!focused || document.activeElement === focused) return;
  const target = focused.isConnected ? focused : focused.id ? document.getElementById(focused.id) : null;
  if (!target) return;
  target.focus({ preventScroll: true });
  if (target instanceof HTMLInputElement && target.type === 'text' && caret?.start != null && caret.end != null)
    target.setSelectionRange(caret.start, caret.end);
}
