import { render } from 'preact';
import { Landing } from './landing.js';
import { SeatPage } from './seat.js';
import './style.css';

/**
 * /panel is the landing page; /panel?account=…&viewer=… is that party's seat, and with several
 * `viewer`s a room of their seats side by side.
 */
const query = new URLSearchParams(location.search);
const account = query.get('account');
const viewers = [...new Set(query.getAll('viewer').filter((viewer) => viewer !== ''))];
render(
  account && viewers.length > 0 ? <SeatPage account={account} viewers={viewers} /> : <Landing />,
  document.getElementById('app')!,
);
