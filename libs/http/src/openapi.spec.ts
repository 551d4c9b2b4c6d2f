import type { OpenAPIObject } from '@nestjs/swagger';
import { documentRequestPolicy } from './openapi.js';

const documentOf = (paths: OpenAPIObject['paths']): OpenAPIObject => ({
  openapi: '3.0.0',
  info: { title: 'test', version: '0' },
  paths,
});

describe('documentRequestPolicy', () => {
  it('given a read and commands, when documented, then all list 421, 403 and 400, the commands 413 and 415, and routes with path parameters 414', () => {
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
    expect(statuses(document.paths['/things']!.get)).toEqual(['200', '400', '403', '421']);
    expect(document.paths['/things']!.get!.responses['400']).toMatchObject({
      description: expect.stringContaining('more than one `Host` header'),
    });
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

  it("given a route that describes one of those statuses itself, keeps the route's description first and adds each cause of the policy and the router after it", () => {
    const own = { description: '`INVALID_REQUEST`: a field of the body is missing or malformed' };
    const document = documentRequestPolicy(
      documentOf({ '/x/{id}': { post: { responses: { '400': own, '403': own } } } }),
    );
    const described = (status: string) =>
      (document.paths['/x/{id}']!.post!.responses[status] as { description: string }).description.split(
        '; or ',
      );
    expect(described('400')).toEqual([
      own.description,
      expect.stringContaining('percent-encoding is not UTF-8'),
      expect.stringContaining('more than one `Host` header'),
      expect.stringContaining('a body that is not valid JSON'),
    ]);
    expect(described('403')).toEqual([own.description, expect.stringContaining('ORIGIN_NOT_ALLOWED')]);
  });
});
