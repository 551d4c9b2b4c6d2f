import type { DecodingSchemas } from './decode.js';

/** Upgrades `data` written at one schema version to the next version. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** By event type, the upcaster from each older schema version (the key) to the next. */
export type Upcasters<Type extends string = string> = {
  readonly [T in Type]?: Readonly<Record<number, Upcaster>>;
};

/**
 * Schema versions and upcasters of the event catalogue. Events are immutable in the store; when a
 * type's data changes shape its version goes up and an upcaster from the old version is registered,
 * so every reader (aggregates, projector, CLI) sees only the current shape.
 */
export class EventSchemaRegistry implements DecodingSchemas {
  constructor(
    private readonly versions: Readonly<Record<string, number>>,
    private readonly upcasters: Upcasters = {},
    /** Run-time checks of each type's data at its current version (data-schemas.ts). */
    private readonly dataChecks: Readonly<Record<string, (data: unknown) => string | undefined>> = {},
  ) {}

  knows(type: string): boolean {
    return Object.hasOwn(this.versions, type);
  }

  dataProblem(type: string, data: Record<string, unknown>): string | undefined {
    return Object.hasOwn(this.dataChecks, type) ? this.dataChecks[type]!(data) : undefined;
  }

  currentVersion(type: string): number {
    // Types come from the store: one named like an Object.prototype member has no registered version.
    return (Object.hasOwn(this.versions, type) ? this.versions[type] : undefined) ?? 1;
  }

  upcast(type: string, fromVersion: number, data: Record<string, unknown>): Record<string, unknown> {
    const target = this.currentVersion(type);
    if (fromVersion > target) {
      throw new Error(
        `${type} v${fromVersion} is newer than this build understands (v${target}): upgrade Switchboard`,
      );
    }
    let upgraded = data;
    for (let version = fromVersion; version < target; version++) {
      const upcaster = Object.hasOwn(this.upcasters, type) ? this.upcasters[type]?.[version] : undefined;
      if (!upcaster) throw new Error(`no upcaster for ${type} from v${version} to v${version + 1}`);
      upgraded = upcaster(upgraded);
    }
    return upgraded;
  }
}
