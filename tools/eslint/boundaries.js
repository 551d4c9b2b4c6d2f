// Which code may import which, as `no-restricted-imports` blocks for eslint.config.js. The rule sees
// the import as written, so each pattern matches the relative path that climbs out of the importing
// folder into a forbidden one.
//
// - An app never imports another app: what two apps share is a library (`#read-models`, `#load`,
//   `#stack`, …). From apps/<app>/src/…, `../…/<other>/src` is the only way into another app.
// - A library never imports an app.
// - bench, test and tools reach no app's `src`, with two exceptions: an app's own integration tests
//   (test/integration/<app>/) and its own benchmarks test that app's internals, and any test may host
//   an app in-process through its `bootstrap.ts`, the app's entry point as `main.ts` is the process's.

export const APPS = ['api', 'cli', 'eventstore', 'projector'];

/** The benchmarks that measure one app's internals. */
const OWN_BENCHMARKS = {
  api: ['bench/line-history.bench.ts'],
  eventstore: ['bench/store.bench.ts', 'bench/store/**/*.ts'],
};

const restrict = (regex, message) => ({
  rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] },
});

/** Any relative path into `apps/<app>/src` except `apps/<own>/src` and every app's bootstrap. */
const intoAppSources = (own) =>
  `^(\\.\\./)+apps/${own ? `(?!${own}/)` : ''}[^/]+/src(/(?!bootstrap\\.js$)|$)`;

const OUTSIDE_APPS =
  'bench, test and tools go through the libraries (#read-models, #load, #stack, …); only an app’s own integration tests and benchmarks reach its src, and any test may start an app through its bootstrap.js';

export const boundaries = [
  ...APPS.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    ...restrict(
      `^(\\.\\./)+(apps/)?(${APPS.filter((other) => other !== app).join('|')})/src(/|$)`,
      `apps/${app} must not import another app’s src: move what both need into a library under libs/`,
    ),
  })),
  {
    files: ['libs/**/*.ts'],
    ...restrict(
      '^(\\.\\./)+apps/',
      'a library must not import an app: the apps import libraries, never the reverse',
    ),
  },
  {
    files: ['bench/**/*.ts', 'test/**/*.ts', 'tools/**/*.ts'],
    ...restrict(intoAppSources(null), OUTSIDE_APPS),
  },
  ...APPS.map((app) => ({
    files: [`test/integration/${app}/**/*.ts`, ...(OWN_BENCHMARKS[app] ?? [])],
    ...restrict(intoAppSources(app), OUTSIDE_APPS),
  })),
];
