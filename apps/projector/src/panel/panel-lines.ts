import type { ReadModels } from '#read-models';
import { accountDelegations, accountParty } from '#read-models';
import { lineAccess } from '#read-models';
import { lineLabel } from '#read-models';

/** A line the viewer can use (label per R11). */
export interface PanelLine {
  readonly accountId: string;
  readonly number: string;
  readonly label: string;
  readonly role: 'delegator' | 'delegate';
}

/**
 * The lines a viewer can use: its own direct numbers, then the numbers active delegations share with it
 * (R10), each labelled as the line endpoints label it (R11). Numbers are given as the line routes address
 * them (digits, no `+`), and each is checked with the same access rule those routes apply.
 */
export const panelLines = (readModels: ReadModels, accountId: string, viewer: string): PanelLine[] => {
  const own = accountParty(readModels, accountId, viewer)?.directNumbers ?? [];
  const shared = accountDelegations(readModels, accountId)
    .filter((d) => d.delegateId === viewer && d.status === 'active')
    .flatMap((d) => d.sharedLines);
  const numbers = [...new Set([...own, ...shared].map((n) => n.replace(/^\+/, '')))];
  return numbers.flatMap((number) => {
    const access = lineAccess(readModels, accountId, number, viewer);
    return access.allowed ? [{ accountId, number, label: lineLabel(access, number), role: access.role }] : [];
  });
};
