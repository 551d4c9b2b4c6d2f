import type { Rule } from 'eslint';

export declare const noPrototypeLookup: Rule.RuleModule;
