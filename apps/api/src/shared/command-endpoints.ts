import { Body, Delete, Param, Patch, Post, Put, type PipeTransform, type Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { Origin, type CommandOrigin } from './command-metadata.js';
import { ValidIdPipe } from './valid-id.pipe.js';

const METHODS = { POST: Post, PUT: Put, PATCH: Patch, DELETE: Delete } as const;

/** A command endpoint declared as data: its route, its body and its OpenAPI. */
export interface CommandEndpoint {
  readonly method: keyof typeof METHODS;
  /** Under the controller's path; the `:parameters` of both with a pipe become the method's parameters. */
  readonly path: string;
  readonly body: Type<unknown>;
  /** The endpoint's other decorators (status, documentation), bottom-up as if stacked on a method. */
  readonly docs: readonly MethodDecorator[];
}

/** How a path parameter reaches the method: its pipe, and its type as TypeScript would reflect it. */
export interface PathParameter {
  readonly pipe: Type<PipeTransform>;
  readonly type: typeof String | typeof Object;
}

/** A controller whose endpoints are declared as data: `execute` sends an endpoint's command. */
export interface CommandController<Endpoint, Name extends string> {
  execute(
    endpoint: Endpoint,
    params: Readonly<Record<Name, never>>,
    dto: never,
    origin: CommandOrigin,
  ): Promise<unknown>;
}

/** An id in the path (an account, party, call…), checked by `ValidIdPipe`. */
export const AN_ID: PathParameter = { pipe: ValidIdPipe, type: String };

/**
 * A class decorator, above `@Controller`: one endpoint per entry of `endpoints`, a method named
 * after the entry whose parameters are the path's parameters (each through its pipe), the body
 * (validated as the entry's DTO) and the command's origin, decorated as if written by hand, so Nest
 * routes and validates it and OpenAPI documents it. The method hands all to the controller's
 * `execute`; every rule is the decider's. `asWritten` decorates the parameters as TypeScript does
 * those of a written method (the last first), so OpenAPI lists the path parameters in path order;
 * `inPathOrder` lists them the other way.
 */
export const CommandEndpoints =
  <Endpoint extends CommandEndpoint, Name extends string>(
    endpoints: Readonly<Record<string, Endpoint>>,
    parameters: Readonly<Record<Name, PathParameter>>,
    order: 'asWritten' | 'inPathOrder' = 'asWritten',
  ) =>
  (controller: Type<CommandController<Endpoint, Name>>): void => {
    const prototype = controller.prototype as object;
    const known = new Map(Object.entries(parameters) as [Name, PathParameter][]);
    for (const [name, endpoint] of Object.entries(endpoints)) {
      const path = `${String(Reflect.getMetadata(PATH_METADATA, controller) ?? '')}/${endpoint.path}`;
      const params = [...path.matchAll(/:(\w+)/g)].flatMap(([, param]) => {
        const parameter = known.get(param as Name);
        return parameter ? [{ name: param as Name, ...parameter }] : [];
      });
      if (Object.getOwnPropertyNames(prototype).includes(name))
        throw new Error(`endpoint ${name} would replace the controller's own method`);
      const method = function (
        this: CommandController<Endpoint, Name>,
        ...args: unknown[]
      ): Promise<unknown> {
        const values = Object.fromEntries(params.map((param, index) => [param.name, args[index]]));
        const [dto, origin] = args.slice(params.length) as [never, CommandOrigin];
        return this.execute(endpoint, values as Record<Name, never>, dto, origin);
      };
      Object.defineProperty(method, 'name', { value: name });
      // A method of its own, beside the hand-written ones: Nest scans the prototype's own methods.
      Object.defineProperty(prototype, name, { value: method, writable: true, configurable: true });
      Reflect.defineMetadata(
        'design:paramtypes',
        [...params.map((param) => param.type), endpoint.body, Object],
        prototype,
        name,
      );
      Reflect.defineMetadata('design:returntype', Promise, prototype, name);
      const decorations: [ParameterDecorator, number][] = [
        ...params.map((param, index): [ParameterDecorator, number] => [Param(param.name, param.pipe), index]),
        [Body(), params.length],
        [Origin(), params.length + 1],
      ];
      // OpenAPI lists the path parameters in the reverse order of their decoration.
      if (order === 'asWritten') decorations.reverse();
      for (const [decorate, index] of decorations) decorate(prototype, name, index);
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
      for (const decorate of [...endpoint.docs, METHODS[endpoint.method](endpoint.path)])
        decorate(prototype, name, descriptor);
    }
  };
