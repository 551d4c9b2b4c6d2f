import type { Linter } from 'eslint';

export declare const APPS: readonly string[];
export declare const boundaries: Linter.Config[];
