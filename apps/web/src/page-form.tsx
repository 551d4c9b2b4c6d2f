import type { ComponentChildren } from 'preact';

/**
 * A form the page sends itself, through the api: submitting runs `send` instead of the browser's
 * navigation, so the page (and every seat on it) stays where it is.
 */
export function PageForm(props: {
  class: string;
  label: string;
  send: () => void;
  children: ComponentChildren;
}) {
  const { class: className, label, send, children } = props;
  return (
    <form
      class={className}
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      {children}
    </form>
  );
}
