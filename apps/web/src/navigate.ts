/**
 * Moves the app to another address of its own without loading the page again: a history entry the
 * browser's Back and Forward return to, shown by the app as it shows those (main.tsx follows
 * `popstate`), so what a view shows is in its address, and a reload shows it again.
 */
export const navigate = (to: URL): void => {
  history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
};
