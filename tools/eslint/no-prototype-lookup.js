import ts from 'typescript';

/**
 * Ids come from clients, and a plain object answers `constructor`, `toString` or `__proto__` from
 * Object.prototype: `state.voicemails[messageId]` once found a "message" for `constructor` and
 * appended an event the projector could not apply. So a lookup whose key is any string (not a
 * union of known literals) must go through a Map or an own-property check (`Object.hasOwn`), and
 * `key in object` (which walks the prototype chain) likewise. A lookup guarded by
 * `Object.hasOwn(object, key)` (`? :`, `&&` or `if`, same object and key as written) is fine.
 */
const WIDE =
  ts.TypeFlags.String |
  ts.TypeFlags.TemplateLiteral |
  ts.TypeFlags.StringMapping |
  ts.TypeFlags.Any |
  ts.TypeFlags.Unknown;

const isWideString = (checker, type) => {
  const constraint = type.flags & ts.TypeFlags.TypeParameter ? checker.getBaseConstraintOfType(type) : type;
  if (!constraint) return true;
  if (constraint.isUnion()) return constraint.types.some((member) => isWideString(checker, member));
  return (constraint.flags & WIDE) !== 0;
};

const isHasOwn = (node, object, key, text) =>
  node.type === 'CallExpression' &&
  text(node.callee) === 'Object.hasOwn' &&
  node.arguments.length === 2 &&
  text(node.arguments[0]) === text(object) &&
  text(node.arguments[1]) === text(key);

/** Whether `test` being truthy implies `Object.hasOwn(object, key)` (a call or a conjunct of `&&`). */
const impliesOwn = (test, object, key, text) =>
  isHasOwn(test, object, key, text) ||
  (test.type === 'LogicalExpression' &&
    test.operator === '&&' &&
    (impliesOwn(test.left, object, key, text) || impliesOwn(test.right, object, key, text)));

/** Whether `node` only runs where a `? :`, `&&` or `if` around it established the own property. */
const guarded = (node, object, key, text) => {
  for (let child = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    const test =
      (parent.type === 'ConditionalExpression' && parent.consequent === child && parent.test) ||
      (parent.type === 'IfStatement' && parent.consequent === child && parent.test) ||
      (parent.type === 'LogicalExpression' &&
        parent.operator === '&&' &&
        parent.right === child &&
        parent.left);
    if (test && impliesOwn(test, object, key, text)) return true;
    if (parent.type.includes('Function')) return false;
  }
  return false;
};

export const noPrototypeLookup = {
  meta: {
    type: 'problem',
    messages: {
      lookup:
        'A lookup by an arbitrary string can reach Object.prototype (constructor, toString, __proto__): ' +
        'use a Map, or check Object.hasOwn first.',
      in: '`in` walks the prototype chain (constructor, toString...): use a Map or Object.hasOwn.',
    },
    schema: [],
  },
  create(context) {
    const services = context.sourceCode.parserServices;
    if (!services?.program) throw new Error('no-prototype-lookup needs typed linting (projectService)');
    const checker = services.program.getTypeChecker();
    const wide = (node) =>
      isWideString(checker, checker.getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(node)));
    const text = (node) => context.sourceCode.getText(node);
    return {
      MemberExpression(node) {
        if (!node.computed || node.property.type === 'Literal') return;
        if (!wide(node.property) || guarded(node, node.object, node.property, text)) return;
        context.report({ node, messageId: 'lookup' });
      },
      'ObjectPattern > Property[computed=true]'(node) {
        if (node.key.type !== 'Literal' && wide(node.key)) context.report({ node, messageId: 'lookup' });
      },
      'BinaryExpression[operator="in"]'(node) {
        if (node.left.type !== 'Literal' && node.left.type !== 'PrivateIdentifier' && wide(node.left))
          context.report({ node, messageId: 'in' });
      },
    };
  },
};
