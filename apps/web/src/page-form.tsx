import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Shown } from './controls.js';

/**
 * A form the page sends itself, through the api: submitting runs `send` instead of the browser's
 * navigation, so the page (and every seat on it) stays where it is. A refusal of what it sent that
 * names fields (a 400's `errors`) marks the fields of those names invalid and puts the focus on the
 * first, to be corrected there; the next answer to it clears them.
 */
export function PageForm(props: {
  class: string;
  label: string;
  send: () => void;
  /** The refusal shown where the form is (it may answer another control there, as a seat's keys). */
  refusal?: Shown;
  children: ComponentChildren;
}) {
  const { class: className, label, send, refusal, children } = props;
  const form = useRef<HTMLFormElement>(null);
  // Whether the refusal shown next answers this form: a speed-dial key pressed, or another seat's list
  // of keys, shares the place its refusal is shown in, and names no field of this form.
  const sent = useRef(false);
  // Before the refusal is painted: the field is marked as the refusal appears, not a frame after it.
  useLayoutEffect(() => {
    if (!form.current) return;
    const invalid = new Set(sent.current ? (refusal?.fields ?? []) : []);
    if (refusal !== undefined) sent.current = false;
    const marked = [...form.current.elements].filter(
      (field): field is HTMLInputElement => field instanceof HTMLInputElement,
    );
    for (const field of marked) {
      if (invalid.has(field.name)) field.setAttribute('aria-invalid', 'true');
      else field.removeAttribute('aria-invalid');
    }
    // Not taken from elsewhere: a viewer who went on to another control while the answer came keeps it.
    const focus = document.activeElement;
    const first = marked.find((field) => invalid.has(field.name));
    if (first && (focus === null || focus === document.body || form.current.contains(focus))) first.focus();
  }, [refusal]);
  return (
    <form
      ref={form}
      class={className}
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        sent.current = true;
        send();
      }}
    >
      {children}
    </form>
  );
}
