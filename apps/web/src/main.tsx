import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { PastPoint } from './api.js';
import { keepFocusOnThePage } from './keep-focus.js';
import { Landing } from './landing.js';
import { SeatPage } from './seat.js';
import './style.css';

/**
 * /panel is the landing page; /panel?account=…&viewer=… is that party's seat, and with several
 * `viewer`s a room of their seats side by side; with `asOf` (a position) or `asOfTime` (a time) the
 * seats as time travel shows them then.
 */
function Page({ url }: { url: string }) {
  const query = new URL(url).searchParams;
  const account = query.get('account');
  const viewers = [...new Set(query.getAll('viewer').filter((viewer) => viewer !== ''))];
  const asOf = query.get('asOf');
  const asOfTime = query.get('asOfTime');
  const point: PastPoint | undefined =
    asOf !== null ? { asOf } : asOfTime !== null ? { asOfTime } : undefined;
  return account && viewers.length > 0 ? (
    // Keyed by who is shown, not when: moving in time keeps the seats' live connection.
    <SeatPage key={`${account}:${viewers.join()}`} account={account} viewers={viewers} point={point} />
  ) : (
    <Landing />
  );
}

const isPanel = (url: URL): boolean => url.origin === location.origin && url.pathname === '/panel';

/**
 * Moving between the panel's pages (a seat, another seat of the account, a room, the landing page)
 * stays in the page: its live connection and the seats it already knows stay, so the next page shows
 * at once. Links and the room form are followed here; the browser's back and forward too.
 */
function App() {
  const [url, setUrl] = useState(location.href);
  useEffect(() => {
    const go = (to: URL) => {
      history.pushState(null, '', to);
      setUrl(to.href);
      scrollTo(0, 0);
    };
    const onClick = (event: MouseEvent) => {
      const link = (event.target as Element | null)?.closest?.('a');
      if (
        event.defaultPrevented ||
        !link ||
        event.button !== 0 ||
        event.metaKey ||
        event.ctrlKey ||
        event.shiftKey ||
        event.altKey
      )
        return;
      const to = new URL(link.href);
      if (link.target || !isPanel(to)) return;
      event.preventDefault();
      go(to);
    };
    const onSubmit = (event: SubmitEvent) => {
      const form = event.target as HTMLFormElement;
      // Only the forms that are links (the room picker): the command forms send themselves.
      if (event.defaultPrevented || !form.hasAttribute('action') || form.method !== 'get') return;
      if (!isPanel(new URL(form.action))) return;
      event.preventDefault();
      const to = new URL(form.action);
      for (const [name, value] of new FormData(form)) to.searchParams.append(name, String(value));
      go(to);
    };
    const onPop = () => setUrl(location.href);
    document.addEventListener('click', onClick);
    document.addEventListener('submit', onSubmit);
    addEventListener('popstate', onPop);
    return () => {
      document.removeEventListener('click', onClick);
      document.removeEventListener('submit', onSubmit);
      removeEventListener('popstate', onPop);
    };
  }, []);
  return <Page url={url} />;
}

const app = document.getElementById('app')!;
keepFocusOnThePage(app);
render(<App />, app);
