import { render } from 'preact';
import { Landing } from './landing.js';
import { SeatPage } from './seat.js';
import './style.css';

/** /panel is the landing page; /panel?account=…&viewer=… is that party's seat. */
const query = new URLSearchParams(location.search);
const account = query.get('account');
const viewer = query.get('viewer');
render(
  account && viewer ? <SeatPage account={account} viewer={viewer} /> : <Landing />,
  document.getElementById('app')!,
);
