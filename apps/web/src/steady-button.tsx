import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * How long a call action that took the place of another under the pointer (or the focus) ignores
 * being worked. A call's controls change with its lamp, which moves when someone else acts: Answer
 * becomes Hold when the call is answered from a desk phone, Decline becomes Hang up. A click already on
 * its way to Answer would then hold or end a call the user never meant to touch. Seeing the change and
 * stopping a hand takes a reaction time (about 250 ms) on top of a click already under way, hence
 * three times that: short enough that a user who does mean the new control hardly waits.
 */
const SETTLING_MS = 750;

/** Where the pointer last was, in the viewport: a control that appears there appeared under it. */
let pointer: { readonly x: number; readonly y: number } | undefined;
const follow = (event: PointerEvent) => {
  pointer = { x: event.clientX, y: event.clientY };
};
addEventListener('pointermove', follow, { capture: true, passive: true });
addEventListener('pointerdown', follow, { capture: true, passive: true });

const under = (element: Element): boolean => {
  if (!pointer) return false;
  const box = element.getBoundingClientRect();
  return pointer.x >= box.left && pointer.x <= box.right && pointer.y >= box.top && pointer.y <= box.bottom;
};

/**
 * A button that does not act on a click or key press aimed at the control it replaced. When it
 * appears (or its label changes, Preact reusing the element) under the mouse or with the focus, it
 * settles for SETTLING_MS: shown dimmed, `aria-disabled`, and clicks ignored. Moving the mouse off it
 * ends that at once, as what comes back is aimed at this control. A finger or a pen has no hover: where
 * it was heading is known only when it lands, so a tap within SETTLING_MS of the control appearing is
 * taken to be aimed at the one before. Why not a stable layout instead: the actions a call offers
 * differ by state (two when ringing, up to six on a call), so some control always takes Answer's place;
 * and why not a confirmation: it would cost every deliberate click a second one, while the guard costs
 * only the rare click that comes within a moment of the change.
 */
export function SteadyButton(props: {
  label: string;
  onClick: () => void;
  disabled?: boolean;
  title?: string;
}) {
  const { label, onClick, disabled, title } = props;
  const button = useRef<HTMLButtonElement>(null);
  /** When the control appeared, or its label last changed (`performance.now()`). */
  const appearedAt = useRef(0);
  /** Read by the click itself: a click may come before the page has shown the control settling. */
  const settlingUntil = useRef(0);
  const settled = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [settling, setSettling] = useState(false);
  const settleUntil = (until: number) => {
    clearTimeout(settled.current);
    settlingUntil.current = until;
    const left = until - performance.now();
    setSettling(left > 0);
    if (left > 0) settled.current = setTimeout(() => settleUntil(0), left);
  };
  useLayoutEffect(() => {
    appearedAt.current = performance.now();
    const element = button.current;
    if (element && (under(element) || document.activeElement === element)) {
      settleUntil(appearedAt.current + SETTLING_MS);
    }
  }, [label]);
  useEffect(() => () => clearTimeout(settled.current), []);
  return (
    <button
      ref={button}
      class={settling ? 'settling' : undefined}
      aria-disabled={settling ? 'true' : undefined}
      disabled={disabled}
      title={title}
      onPointerDown={(event) => {
        if (event.pointerType !== 'mouse') settleUntil(appearedAt.current + SETTLING_MS);
      }}
      // A finger lifted leaves the control before its tap's click: only the mouse moving off ends settling.
      onPointerLeave={(event) => {
        if (event.pointerType === 'mouse') settleUntil(0);
      }}
      onClick={() => {
        if (performance.now() >= settlingUntil.current) onClick();
      }}
    >
      {label}
    </button>
  );
}
