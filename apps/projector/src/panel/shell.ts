/**
 * The panel's HTML shell. It carries no data: the browser module reads `account` and `viewer` from the
 * address and fills the page from the read-model routes, so nothing user-supplied is written here.
 */
export const PANEL_SHELL = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Switchboard · Assistant panel</title>
    <style>
      body { font-family: system-ui, sans-serif; margin: 1.5rem; max-width: 60rem; color: #222; }
      section.line { border: 1px solid #ccc; border-radius: 6px; padding: 0.5rem 1rem; margin-bottom: 1rem; }
      .lamp { display: inline-block; padding: 0.1rem 0.6rem; border-radius: 1rem; color: #fff; font-weight: 600; }
      .lamp.idle { background: #2e7d32; }
      .lamp.ringing { background: #ef6c00; }
      .lamp.busy { background: #c62828; }
      .lamp.held { background: #1565c0; }
      .locked { font-weight: 600; }
      .unread { font-weight: 600; }
      .empty, .error { color: #777; }
      ul.labels { color: #555; font-size: 0.9em; }
    </style>
    <script type="module" src="/panel/panel.client.js"></script>
  </head>
  <body>
    <h1>Assistant panel</h1>
    <p id="viewer"></p>
    <main id="lines"></main>
    <aside id="roster"></aside>
  </body>
</html>
`;
