import type { Permission } from '#events';
import type { AccountCommand } from './account.commands.js';
import { delegationById, isAdmin } from './account.queries.js';
import type { AccountState } from './account.state.js';

/** Who a command's actor acted for and which delegation permission it exercised (SPEC §2 metadata). */
export interface AccountAuthority {
  readonly onBehalfOf: string | null;
  readonly permission: Permission | null;
}

const OWN_AUTHORITY: AccountAuthority = { onBehalfOf: null, permission: null };

/**
 * The authority an accepted command used, read from the state it was decided against. A party acts on
 * its own authority, an admin on the account's; only a delegate working a delegation it was granted
 * acts for the delegator, with the permission that allowed it (R6, R13, R19, R22). Auditors read this from
 * the events' metadata, so it lives next to the decider rather than in each caller.
 */
export const accountAuthority = (command: AccountCommand, state: AccountState): AccountAuthority => {
  switch (command.type) {
    case 'AddVipContact':
    case 'RemoveVipContact':
      return command.actor === command.delegatorId || isAdmin(state, command.actor)
        ? OWN_AUTHORITY
        : { onBehalfOf: command.delegatorId, permission: 'manageVipContacts' };
    case 'AddSpeedDial':
    case 'RelabelSpeedDial':
    case 'MoveSpeedDial':
    case 'RemoveSpeedDial':
      return command.actor === command.ownerId || isAdmin(state, command.actor)
        ? OWN_AUTHORITY
        : { onBehalfOf: command.ownerId, permission: 'manageSpeedDials' };
    case 'OptIn':
    case 'OptOut':
    case 'SetDelegateBusinessHours': {
      const delegation = delegationById(state, command.delegationId);
      if (!delegation) return OWN_AUTHORITY;
      const permission = command.type === 'SetDelegateBusinessHours' ? 'overrideBusinessHours' : 'optInOut';
      return { onBehalfOf: delegation.delegatorId, permission };
    }
    default:
      return OWN_AUTHORITY;
  }
};
