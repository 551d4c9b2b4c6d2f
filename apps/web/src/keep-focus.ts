/** What a keyboard reaches by Tab: the focus may be handed on to one of these. */
const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** The control with the focus, and the controls after and before it when it got it, nearest first. */
let focused:
  { readonly control: Element; readonly after: HTMLElement[]; readonly before: HTMLElement[] } | undefined;

/** The control being handed the focus, while it gets it. */
let handed: Element | undefined;

/**
 * Whether the focus arriving at `control` was handed to it by the page, not moved there by the user:
 * a key pressed again at once was meant for the control taken away (a second Enter on Mark read must
 * not delete the message), so a button handed the focus settles as one replaced under it does.
 */
export const focusHandedTo = (control: Element | null): boolean => control !== null && control === handed;

const shown = (control: Element): boolean =>
  control.isConnected && !control.matches(':disabled') && control.getClientRects().length > 0;

/**
 * Keeps the focus on the page when the page takes away the control that has it: Mark read once the
 * message is read, Delete as its message goes to the deleted ones, Hang up once the call is over,
 * Back to live once the view is live. The browser would leave the focus on the page's body: a keyboard
 * user's next Enter or Space does nothing, and a screen reader starts again from the top. The focus
 * goes to the nearest control after it that is still shown (the message's Delete after its Mark
 * read, the next message after a Delete), else the nearest before it.
 */
export function keepFocusOnThePage(root: Element): void {
  root.addEventListener('focusin', (event) => {
    const control = event.target as Element;
    const controls = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const at = controls.findIndex((candidate) => candidate === control);
    focused = {
      control,
      after: controls.slice(at + 1),
      before: controls.slice(0, Math.max(at, 0)).reverse(),
    };
  });
  new MutationObserver(() => {
    if (!focused || focused.control.isConnected) return;
    const active = document.activeElement;
    if (active !== null && active !== document.body) return;
    const next = [...focused.after, ...focused.before].find(shown);
    if (!next) return;
    handed = next;
    // Not scrolled to: the page moved, not the user, and what they were reading stays where it was.
    next.focus({ preventScroll: true });
    handed = undefined;
  }).observe(root, { childList: true, subtree: true });
}
