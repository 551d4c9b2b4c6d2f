import { useEffect, useMemo, useState } from 'preact/hooks';

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
