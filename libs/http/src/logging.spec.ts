import { PinoNestLogger, createLogger, logSettingsFrom, textLine } from './logging.js';

/** A destination keeping what the logger wrote, one entry per line. */
const memory = () => {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(...line.split('\n').filter((l) => l !== '')) };
};

describe('log settings (LOG_FORMAT, LOG_LEVEL)', () => {
  it('writes JSON to a pipe or file and text to a terminal, at info', () => {
    expect(logSettingsFrom({}, false)).toEqual({ level: 'info', format: 'json' });
    expect(logSettingsFrom({}, true)).toEqual({ level: 'info', format: 'text' });
    expect(logSettingsFrom({ LOG_FORMAT: 'json', LOG_LEVEL: 'debug' }, true)).toEqual({
      level: 'debug',
      format: 'json',
    });
  });

  it('keeps jest quiet (NODE_ENV=test) at warn unless LOG_LEVEL says otherwise', () => {
    expect(logSettingsFrom({ NODE_ENV: 'test' }, false).level).toBe('warn');
    expect(logSettingsFrom({ NODE_ENV: 'test', LOG_LEVEL: 'info' }, false).level).toBe('info');
  });

  it('names an invalid value', () => {
    expect(() => logSettingsFrom({ LOG_FORMAT: 'pretty', LOG_LEVEL: 'loud' }, false)).toThrow(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, not "loud"; LOG_FORMAT must be "json" or "text", not "pretty"',
    );
  });
});

describe('the app logger', () => {
  it('writes one JSON object a line in json format', () => {
    const out = memory();
    createLogger('api', { level: 'info', format: 'json' }, out).info({ correlationId: 'c-1' }, 'request');
    expect(JSON.parse(out.lines[0]!)).toMatchObject({
      level: 30,
      app: 'api',
      correlationId: 'c-1',
      msg: 'request',
    });
  });

  it('writes readable lines without ANSI colours in text format', () => {
    // Given the text format, When a request is logged, Then one plain line carries its fields
    const out = memory();
    createLogger('projector', { level: 'info', format: 'text' }, out).info(
      { method: 'GET', url: '/lines/acme/1001/inbox', status: 200, correlationId: 'c 2' },
      'request',
    );
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}projector request method=GET url=\/lines\/acme\/1001\/inbox status=200 correlationId="c 2"$/,
    );
    expect(out.lines[0]).not.toContain('\x1b');
  });

  it('textLine keeps an unknown level number rather than dropping the record', () => {
    expect(textLine(JSON.stringify({ time: 't', level: 35, app: 'api', msg: 'm' }))).toBe('t 35    api m\n');
  });
});

describe("Nest's messages through pino", () => {
  it('logs start-up route chatter at debug, other messages at info, errors with their stack', () => {
    const out = memory();
    const nest = new PinoNestLogger(createLogger('api', { level: 'info', format: 'json' }, out));
    nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    nest.log('Nest application successfully started', 'NestApplication');
    nest.error('boom', 'Error: boom\n    at here', 'ExceptionHandler');
    expect(out.lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: 30,
        context: 'NestApplication',
        msg: 'Nest application successfully started',
      }),
      expect.objectContaining({
        level: 50,
        context: 'ExceptionHandler',
        stack: 'Error: boom\n    at here',
        msg: 'boom',
      }),
    ]);
  });
});
