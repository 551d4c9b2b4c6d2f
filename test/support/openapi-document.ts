/**
 * An app's OpenAPI document as it serves it at /docs-json, as far as the specs read it, and its route
 * table: what Nest's router and the DTOs declare, so that a spec walking every route covers a new one
 * without anyone listing it.
 */

export interface SchemaObject {
  readonly $ref?: string;
  readonly allOf?: readonly SchemaObject[];
  readonly oneOf?: readonly SchemaObject[];
  readonly anyOf?: readonly SchemaObject[];
  readonly type?: string;
  readonly format?: string;
  readonly nullable?: boolean;
  readonly example?: unknown;
  readonly enum?: readonly unknown[];
  readonly items?: SchemaObject;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, SchemaObject>>;
}

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly schema?: SchemaObject;
  readonly example?: unknown;
}

export interface Operation {
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content: Readonly<Record<string, { readonly schema: SchemaObject }>> };
  readonly responses?: Readonly<Record<string, { content?: Record<string, { schema?: SchemaObject }> }>>;
}

export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, SchemaObject>> };
}

/** The document the app at `url` serves. */
export const servedOpenApi = async (url: string): Promise<OpenApiDocument> =>
  (await (await fetch(`${url}/docs-json`)).json()) as OpenApiDocument;

/** The schema a `$ref` names, or the schema itself. */
export const resolveSchema = (document: OpenApiDocument, schema: SchemaObject): SchemaObject | undefined =>
  schema.$ref ? document.components?.schemas?.[schema.$ref.split('/').at(-1)!] : schema;

export interface Route {
  readonly method: string;
  /** As the document writes it: `/accounts/{accountId}/lines/{number}`. */
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly Parameter[];
  /** The body DTO's schema name, when the route takes a body. */
  readonly bodySchema: string | undefined;
  /** The statuses the operation documents. */
  readonly documented: ReadonlySet<string>;
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

export const routesOf = (document: OpenApiDocument): Route[] =>
  Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([method, operation]) => {
        const parameters = operation.parameters ?? [];
        const schema = operation.requestBody?.content['application/json']?.schema;
        return {
          method: method.toUpperCase(),
          path,
          pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
          queryParams: parameters.filter((p) => p.in === 'query'),
          bodySchema: schema?.$ref?.split('/').pop(),
          documented: new Set(Object.keys(operation.responses ?? {})),
        };
      }),
  );
