/** What a keyboard reaches by Tab: the focus may be handed on to one of these. */
const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/**
 * The control with the focus; what held it when it got the focus, nearest first; and the controls
 * after and before it then, nearest first.
 */
let focused:
  | {
      readonly control: Element;
      readonly around: readonly Element[];
      readonly after: readonly HTMLElement[];
      readonly before: readonly HTMLElement[];
    }
  | undefined;

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
 * Back to live once the view is live, Step back disabled at the seat's first event. The browser would leave the focus on the page's body: a keyboard
 * user's next Enter or Space does nothing, and a screen reader starts again from the top. The focus
 * goes to a control still shown in the nearest part of the page that is still there around it, the
 * nearest after it there, else the nearest before it: the message's Delete after its Mark read, the
 * next message after a Delete, the time field after Back to live. Never further than it must: a
 * second Enter meant for Back to live must not follow the link to all seats that comes next on the page.
 */
export function keepFocusOnThePage(root: Element): void {
  root.addEventListener('focusin', (event) => {
    const control = event.target as Element;
    const controls = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const at = controls.findIndex((candidate) => candidate === control);
    const around: Element[] = [];
    for (let part = control.parentElement; part && part !== root; part = part.parentElement)
      around.push(part);
    focused = {
      control,
      around: [...around, root],
      after: controls.slice(at + 1),
      before: controls.slice(0, Math.max(at, 0)).reverse(),
    };
  });
  new MutationObserver(() => {
    // Taken away: gone from the page, or disabled where it is (Step back at the first event).
    if (!focused || shown(focused.control)) return;
    // A control disabled under the focus may still hold it here: the browser moves the focus to the
    // body only at its next rendering, after this callback, and no mutation follows to call it again.
    const active = document.activeElement;
    if (active !== null && active !== document.body && active !== focused.control) return;
    const { after, before } = focused;
    const next = focused.around
      .filter((part) => part.isConnected)
      .map((part) => [...after, ...before].find((control) => part.contains(control) && shown(control)))
      .find((control) => control !== undefined);
    if (!next) return;
    handed = next;
    // Not scrolled to: the page moved, not the user, and what they were reading stays where it was.
    next.focus({ preventScroll: true });
    handed = undefined;
  }).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
}
