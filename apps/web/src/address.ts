import { useEffect, useMemo, useState } from 'preact/hooks';
import { navigate } from './navigate.js';

/**
 * The page's address query, read again whenever the app moves (its own `navigate`, Back, Forward):
 * for a part of the page whose view is in the address without the whole page being about it.
 */
export function useAddress(): URLSearchParams {
  const [search, setSearch] = useState(location.search);
  useEffect(() => {
    const moved = () => setSearch(location.search);
    addEventListener('popstate', moved);
    return () => removeEventListener('popstate', moved);
  }, []);
  return useMemo(() => new URLSearchParams(search), [search]);
}

/** Moves to this address with some of its query parameters set (a string) or taken out (`undefined`). */
export const navigateWith = (changes: Readonly<Record<string, string | undefined>>): void => {
  const address = new URL(location.href);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) address.searchParams.delete(name);
    else address.searchParams.set(name, value);
  }
  if (address.href !== location.href) navigate(address);
};
