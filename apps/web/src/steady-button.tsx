import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { focusHandedTo } from './keep-focus.js';

/**
 * How long a control that came under the pointer (or the focus) in place of another ignores being
 * worked. A call's controls change with its lamp, which moves when someone else acts: Answer becomes
 * Hold when the call is answered from a desk phone, Decline becomes Hang up. A list grows above the
 * pointer when a voicemail arrives, and the Delete of the message below slides under it. A click
 * already on its way would then act on what the user never aimed at. Seeing the change and stopping a
 * hand takes a reaction time (about 250 ms) on top of a click already under way, hence three times
 * that: short enough that a user who does mean the new control hardly waits.
 */
const SETTLING_MS = 750;

/** Where the pointer last was, in the viewport: a control that appears there appeared under it. */
let pointer: { readonly x: number; readonly y: number } | undefined;
/**
 * What the pointer was last moved over. A control the page slid under a still pointer was not
 * aimed at; one the pointer was moved onto was, however recently the page moved it.
 */
let aimedAt: EventTarget | null = null;
addEventListener(
  'pointermove',
  (event: PointerEvent) => {
    pointer = { x: event.clientX, y: event.clientY };
    aimedAt = event.target;
  },
  { capture: true, passive: true },
);
addEventListener(
  'pointerdown',
  (event: PointerEvent) => {
    pointer = { x: event.clientX, y: event.clientY };
  },
  { capture: true, passive: true },
);

/** A box as the viewport has it: where the pointer is compared with. */
interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

const holdsPointer = (box: Box): boolean =>
  pointer !== undefined &&
  pointer.x >= box.left &&
  pointer.x <= box.right &&
  pointer.y >= box.top &&
  pointer.y <= box.bottom;

/** Where a control is on the page, and in the viewport, when last shown. */
interface Place {
  readonly label: string;
  readonly box: Box;
  /** Its box's corner on the page: the page scrolled is not the control moved. */
  readonly pageX: number;
  readonly pageY: number;
}

const placeOf = (element: Element, label: string): Place => {
  const box = element.getBoundingClientRect();
  return { label, box, pageX: box.left + scrollX, pageY: box.top + scrollY };
};

/**
 * A button that does not act on a click or key press aimed at another control. When it appears under
 * the mouse or with the focus, its label changes there (Preact reusing the element), or the page moves
 * it under a mouse that did not move (a list growing above it), it settles for SETTLING_MS: shown
 * dimmed, `aria-disabled`, and clicks ignored. Moving the mouse off it ends that at once, as what comes
 * back is aimed at this control. A finger or a pen has no hover: where it was heading is known only
 * when it lands, so a tap within SETTLING_MS of the control appearing or moving is taken to be aimed at
 * what was there before. The focus follows the element, not the place, so a move never settles it for
 * the keyboard; the focus handed to it when the page took away the control that had it does.
 * Why not a stable layout instead: the actions a call offers differ by state (two when ringing, up to
 * six on a call), and a list is read newest first, so some control always takes another's place; and
 * why not a confirmation: it would cost every deliberate click a second one, while the guard costs
 * only the rare click that comes within a moment of the change.
 */
export function SteadyButton(props: {
  /** What the control does: a new label is a new control in the same element. */
  label: string;
  onClick: () => void;
  disabled?: boolean;
  title?: string;
  class?: string;
  /** The control's name for assistive technology, when the label alone would not say which it acts on. */
  ariaLabel?: string;
  /** What the button shows, when more than its label. */
  children?: ComponentChildren;
  /** `data-*` attributes tests and styles find the control by. */
  data?: Readonly<Record<string, string>>;
}) {
  const { label, onClick, disabled, title, ariaLabel, children, data } = props;
  const button = useRef<HTMLButtonElement>(null);
  /** When the control appeared, its label last changed or it last moved (`performance.now()`). */
  const appearedAt = useRef(0);
  const shown = useRef<Place | undefined>(undefined);
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
  // After every render: a control moves when anything above it changes, not only when it does.
  useLayoutEffect(() => {
    const element = button.current;
    if (!element) return;
    const before = shown.current;
    const now = placeOf(element, label);
    shown.current = now;
    const relabelled = before === undefined || before.label !== label;
    const moved = !relabelled && (before.pageX !== now.pageX || before.pageY !== now.pageY);
    if (!relabelled && !moved) return;
    appearedAt.current = performance.now();
    const slidUnderPointer =
      holdsPointer(now.box) &&
      (relabelled || (!holdsPointer(before.box) && !(aimedAt instanceof Node && element.contains(aimedAt))));
    if (slidUnderPointer || (relabelled && document.activeElement === element)) {
      settleUntil(appearedAt.current + SETTLING_MS);
    }
  });
  useEffect(() => () => clearTimeout(settled.current), []);
  const classes = [props.class, settling ? 'settling' : undefined].filter(Boolean).join(' ');
  return (
    <button
      ref={button}
      class={classes || undefined}
      aria-disabled={settling ? 'true' : undefined}
      aria-label={ariaLabel}
      disabled={disabled}
      title={title}
      {...Object.fromEntries(Object.entries(data ?? {}).map(([name, value]) => [`data-${name}`, value]))}
      onFocus={() => {
        if (focusHandedTo(button.current)) settleUntil(performance.now() + SETTLING_MS);
      }}
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
      {children ?? label}
    </button>
  );
}
