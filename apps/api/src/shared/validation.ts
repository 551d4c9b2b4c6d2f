import {
  BadRequestException,
  ValidationPipe,
  type ArgumentMetadata,
  type Type,
  type ValidationError,
} from '@nestjs/common';
import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';

const flatten = (errors: readonly ValidationError[], prefix = ''): { field: string; messages: string[] }[] =>
  errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });

type Condition = (object: object, value: unknown) => boolean;

interface Check {
  readonly validateIf: Condition | undefined;
  readonly constraints: unknown[];
  readonly validate: (value: unknown, args: ValidationArguments) => unknown;
}

/** One property's rules as class-validator runs them: conditions first, then each constraint. */
interface PropertyRules {
  readonly name: string;
  readonly conditions: Condition[];
  readonly checks: Check[];
}

/**
 * Answers "is this body valid?" (with the DTO instance when it is) for a DTO with flat properties,
 * by running class-validator's own constraints from its metadata, without class-transformer and the validator's error bookkeeping
 * (together about a tenth of the api's CPU per command). Only "yes" is trusted: anything else goes
 * through the full pipe, which alone words the 400, so malformed input is answered exactly as before.
 */
const compileCheck = (
  metatype: Type,
): ((body: Record<string, unknown>) => object | undefined) | undefined => {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(metatype, '', false, false);
  if (metadatas.length === 0) return undefined;
  const byProperty = new Map<string, PropertyRules>();
  for (const metadata of metadatas) {
    const rules = byProperty.get(metadata.propertyName) ?? {
      name: metadata.propertyName,
      conditions: [],
      checks: [],
    };
    byProperty.set(metadata.propertyName, rules);
    if (metadata.each) return undefined;
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      rules.conditions.push(metadata.constraints[0] as Condition);
    } else if (metadata.type === ValidationTypes.CUSTOM_VALIDATION) {
      for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
        if (constraint.async) return undefined;
        const instance = constraint.instance as { validate: Check['validate'] };
        rules.checks.push({
          validateIf: metadata.validateIf,
          constraints: metadata.constraints,
          validate: (value, args) => instance.validate(value, args),
        });
      }
    } else if (metadata.type !== ValidationTypes.WHITELIST) {
      // Nested objects, promises, IsDefined: the full pipe handles them.
      return undefined;
    }
  }
  const properties = [...byProperty.values()];
  // Whitelisted keys with primitive values only: anything else is class-transformer's to copy, and a
  // key is checked before it is assigned (an own `__proto__` would otherwise set the prototype).
  const flat = (object: Record<string, unknown>): boolean =>
    Object.entries(object).every(
      ([key, value]) => byProperty.has(key) && (typeof value !== 'object' || value === null),
    );
  return (body) => {
    if (!flat(body)) return undefined;
    const entity = Object.assign(new metatype() as Record<string, unknown>, body);
    if (!flat(entity)) return undefined;
    for (const rules of properties) {
      // eslint-disable-next-line local/no-prototype-lookup -- a property the DTO declares, not a client's key
      const value = entity[rules.name];
      if (!rules.conditions.every((condition) => condition(entity, value))) continue;
      for (const check of rules.checks) {
        if (check.validateIf && !check.validateIf(entity, value)) continue;
        const valid = check.validate(value, {
          targetName: metatype.name,
          property: rules.name,
          object: entity,
          value,
          constraints: check.constraints,
        });
        // class-validator takes any truthy answer; only `true` is taken here, the rest is re-checked.
        if (valid !== true) return undefined;
      }
    }
    return entity;
  };
};

/**
 * Keys naming Object.prototype's members, and `prototype`: no DTO declares them, yet they slipped
 * past `forbidNonWhitelisted` (class-transformer drops `__proto__` and `constructor`, and the
 * whitelist finds `toString`, `valueOf`... on its own metadata object's prototype). Unknown keys all
 * the same, so they are refused here, at any depth of the body, in the words used for any other.
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
]);

/**
 * How deep a command body may nest. The deepest DTO nests three levels (`businessHours.windows[i]`),
 * and a body nested thousands of levels deep, still well under 64 KiB, would overflow the stack of any
 * recursive walk (class-transformer's, class-validator's), a 500 for what is only a malformed request.
 */
const MAX_BODY_DEPTH = 32;

type FieldErrors = { field: string; messages: string[] }[];

/**
 * JSON may escape half of a surrogate pair (`"\ud800"`) on its own: text no UTF-8 store can keep (it
 * would come back as U+FFFD, so what was acknowledged is not what is read), and which the request
 * digest's canonical JSON refuses to write. In a `u` regex a whole pair is one code point, so only a
 * half on its own matches `\p{Surrogate}`.
 */
const LONE_SURROGATE = /\p{Surrogate}/u;
const LONE_SURROGATE_RULE =
  'must be Unicode text: it holds half of a surrogate pair (\\uD800-\\uDFFF) without the other half';
/** JSON writes 1e999, which parses as Infinity: no field takes it, and canonical JSON cannot write it. */
const NOT_FINITE_RULE = 'must be a finite number: it is beyond what a number can hold';

/**
 * The body's keys naming prototype members (see PROTOTYPE_KEYS), at any depth, the members nested
 * deeper than MAX_BODY_DEPTH, keys and strings that are not Unicode text and numbers that are not
 * finite, each as a field error, in the body's order. A walk with a stack of its own, not recursion,
 * so no depth of nesting can overflow it.
 */
const bodyShapeErrors = (body: unknown): FieldErrors => {
  const errors: FieldErrors = [];
  const pending: { key: string | null; field: string; value: unknown; depth: number }[] = [
    { key: null, field: '', value: body, depth: 0 },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { key, field, value, depth } = next;
    if (key !== null && PROTOTYPE_KEYS.has(key))
      errors.push({ field, messages: [`property ${key} should not exist`] });
    if (key !== null && LONE_SURROGATE.test(key))
      errors.push({ field, messages: [`the name of property ${field} ${LONE_SURROGATE_RULE}`] });
    if (typeof value === 'string' && LONE_SURROGATE.test(value))
      errors.push({ field, messages: [`${field} ${LONE_SURROGATE_RULE}`] });
    if (typeof value === 'number' && !Number.isFinite(value))
      errors.push({ field, messages: [`${field} ${NOT_FINITE_RULE}`] });
    if (typeof value !== 'object' || value === null) continue;
    if (depth === MAX_BODY_DEPTH) {
      errors.push({ field, messages: [`${field} is nested more than ${MAX_BODY_DEPTH} levels deep`] });
      continue;
    }
    // Last member first, so members come off the stack in the body's order.
    const members = Object.entries(value);
    for (let index = members.length - 1; index >= 0; index--) {
      const [name, member] = members[index]!;
      pending.push({ key: name, field: field ? `${field}.${name}` : name, value: member, depth: depth + 1 });
    }
  }
  return errors;
};

const invalidRequest = (fields: readonly { field: string; messages: string[] }[]): BadRequestException =>
  new BadRequestException({
    code: 'INVALID_REQUEST',
    message: `invalid request: ${fields.map((f) => `${f.field} (${f.messages.join('; ')})`).join(', ')}`,
    errors: fields,
  });

/**
 * Malformed input is answered with 400 and a message per field. Unknown properties are rejected, not
 * silently dropped: a typo in a permission name must not grant or remove something quietly, and
 * `constructor` or `__proto__` is as unknown as `foo` (see PROTOTYPE_KEYS).
 *
 * Every command body passes through here, so a valid body of a flat DTO is checked by `compileCheck`
 * and becomes the DTO instance directly (what class-transformer makes of primitive properties); any
 * other body takes Nest's full ValidationPipe.
 */
class CommandValidationPipe extends ValidationPipe {
  private readonly checks = new Map<Type, ReturnType<typeof compileCheck>>();

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype as Type | undefined;
    if (metadata.type === 'body') {
      // Fields are read off the body with its prototype, so `[]` failed on "at" (Array.prototype.at)
      // and `"text"` on its own fields: a body that is no object is refused as a whole.
      if (value !== undefined && !isPlainObject(value)) throw invalidRequest([NOT_AN_OBJECT]);
      const errors = bodyShapeErrors(value);
      if (errors.length > 0) throw invalidRequest(errors);
    }
    if (metadata.type === 'body' && metatype && this.toValidate(metadata) && isPlainObject(value)) {
      let check = this.checks.get(metatype);
      if (!this.checks.has(metatype)) {
        check = compileCheck(metatype);
        this.checks.set(metatype, check);
      }
      const entity = check?.(value);
      if (entity) return Promise.resolve(entity);
    }
    return super.transform(value, metadata);
  }
}

const NOT_AN_OBJECT = { field: 'body', messages: ["body must be a JSON object of the command's fields"] };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

export const validationPipe = (): ValidationPipe =>
  new CommandValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => invalidRequest(flatten(errors)),
  });
