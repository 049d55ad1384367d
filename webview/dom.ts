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
