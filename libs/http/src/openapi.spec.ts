import type { OpenAPIObject } from '@nestjs/swagger';
import { documentRequestPolicy } from './openapi.js';

const documentOf = (paths: OpenAPIObject['paths']): OpenAPIObject => ({
  openapi: '3.0.0',
  info: { title: 'test', version: '0' },
  paths,
});

describe('documentRequestPolicy', () => {
  it('given a read and commands, when documented, then all list 421 and 403, the commands 400, 413 and 415, and routes with path parameters 400 and 414', () => {
    const document = documentRequestPolicy(
      documentOf({
        '/things': {
          get: { responses: { '200': { description: 'the things' } } },
          post: { responses: { '201': { description: 'made' } } },
        },
        '/things/{id}': { delete: { responses: {} }, put: { responses: {} }, patch: { responses: {} } },
      }),
    );
    const statuses = (operation: { responses: object } | undefined) =>
      Object.keys(operation!.responses).sort();
    expect(statuses(document.paths['/things']!.get)).toEqual(['200', '403', '421']);
    expect(statuses(document.paths['/things']!.post)).toEqual(['201', '400', '403', '413', '415', '421']);
    for (const method of ['delete', 'put', 'patch'] as const)
      expect(statuses(document.paths['/things/{id}']![method])).toEqual([
        '400',
        '403',
        '413',
        '414',
        '415',
        '421',
      ]);
    expect(document.paths['/things/{id}']!.put!.responses['414']).toMatchObject({
      description: expect.stringContaining('URI_TOO_LONG'),
    });
    expect(document.paths['/things']!.post!.responses['415']).toMatchObject({
      description: expect.stringContaining('UNSUPPORTED_MEDIA_TYPE'),
    });
    expect(document.paths['/things']!.get!.responses['421']).toMatchObject({
      description: expect.stringContaining('HOST_NOT_ALLOWED'),
    });
  });

  it("given a route that describes one of those statuses itself, keeps the route's description", () => {
    const own = { description: 'ORIGIN_NOT_ALLOWED, and more about this route' };
    const document = documentRequestPolicy(documentOf({ '/x': { post: { responses: { '403': own } } } }));
    expect(document.paths['/x']!.post!.responses['403']).toBe(own);
  });
});
