import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { getMetadataStorage } from 'class-validator';
import { ID_PATTERN } from '#events';
import type { OpenApiDocument, Route, SchemaObject } from '../../support/openapi-document.js';

/**
 * Request bodies built from an app's own OpenAPI document (see openapi-document.ts): a new route or a
 * new id field is covered without anyone listing it here.
 */

/** The path with each `{param}` replaced by `values(param)`, percent-encoded. */
export const fillPath = (route: Route, values: (param: string) => string): string =>
  route.path.replace(/\{(\w+)\}/g, (_, param: string) => encodeURIComponent(values(param)));

/** A body of the schema's required properties, from the document's own examples. */
export const exampleBody = (document: OpenApiDocument, schemaName: string): Record<string, unknown> => {
  const schemas = new Map(Object.entries(document.components?.schemas ?? {}));
  const resolve = (schema: SchemaObject): SchemaObject => {
    const ref = schema.$ref ?? schema.allOf?.[0]?.$ref;
    const target = ref ? schemas.get(ref.split('/').pop()!) : undefined;
    if (ref && !target) throw new Error(`the document has no schema ${ref}`);
    return target ?? schema;
  };
  const valueOf = (schema: SchemaObject): unknown => {
    if (schema.example !== undefined) return schema.example;
    const resolved = resolve(schema);
    if (resolved.example !== undefined) return resolved.example;
    if (resolved.enum) return resolved.enum[0];
    if (resolved.properties) return objectOf(resolved);
    if (resolved.type === 'array') return resolved.items ? [valueOf(resolved.items)] : [];
    if (resolved.type === 'boolean') return true;
    if (resolved.type === 'number' || resolved.type === 'integer') return 1;
    return 'x';
  };
  const objectOf = (schema: SchemaObject): Record<string, unknown> =>
    Object.fromEntries(
      (schema.required ?? []).map((name) => {
        const property = new Map(Object.entries(schema.properties ?? {})).get(name);
        if (!property) throw new Error(`required property ${name} is not described`);
        return [name, valueOf(property)];
      }),
    );
  const schema = schemas.get(schemaName);
  if (!schema) throw new Error(`the document has no schema ${schemaName}`);
  return objectOf(schema);
};

/** Every object inside `body` (itself included) and the dotted path that reaches it. */
export const objectsIn = (
  body: unknown,
  prefix = '',
): { path: string; object: Record<string, unknown> }[] => {
  if (body === null || typeof body !== 'object') return [];
  const own = Array.isArray(body) ? [] : [{ path: prefix, object: body as Record<string, unknown> }];
  return [
    ...own,
    ...Object.entries(body).flatMap(([key, member]) => objectsIn(member, prefix ? `${prefix}.${key}` : key)),
  ];
};

export type Class = new (...args: never[]) => object;

/**
 * The body classes of every route handler of `rootModule`'s controllers, by name, as Nest's router
 * finds them: the `@Body()` parameter's declared type.
 */
export const bodyClassesOf = (rootModule: Class): Map<string, Class> => {
  const classes = new Map<string, Class>();
  const seen = new Set<unknown>();
  const visit = (entry: unknown): void => {
    if (!entry || seen.has(entry)) return;
    seen.add(entry);
    // A dynamic module is `{ module, imports, controllers }`; a static one carries them as metadata.
    const dynamic =
      typeof entry === 'object'
        ? (entry as { module?: Class; controllers?: Class[]; imports?: unknown[] })
        : undefined;
    const moduleClass = dynamic ? dynamic.module : (entry as Class);
    const controllers = [
      ...((moduleClass && (Reflect.getMetadata('controllers', moduleClass) as Class[] | undefined)) ?? []),
      ...(dynamic?.controllers ?? []),
    ];
    for (const controller of controllers) {
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<
          string,
          { index: number }
        >;
        const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, method) ??
          []) as Class[];
        for (const [key, arg] of Object.entries(args)) {
          const type = types[arg.index];
          if (key.startsWith(`${RouteParamtypes.BODY}:`) && type) classes.set(type.name, type);
        }
      }
    }
    const imports = [
      ...((moduleClass && (Reflect.getMetadata('imports', moduleClass) as unknown[] | undefined)) ?? []),
      ...(dynamic?.imports ?? []),
    ];
    for (const imported of imports) visit(imported);
  };
  visit(rootModule);
  return classes;
};

/**
 * The body fields of a DTO validated as ids (`@Matches(ID_PATTERN)`, inherited ones included), and
 * whether each holds a list of ids.
 */
export const idFieldsOf = (dto: Class): { name: string; each: boolean }[] => {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const ids = metadatas.filter((m) => m.name === 'matches' && m.constraints?.[0] === ID_PATTERN);
  return [...new Map(ids.map((m) => [m.propertyName, { name: m.propertyName, each: m.each === true }]))].map(
    ([, field]) => field,
  );
};
