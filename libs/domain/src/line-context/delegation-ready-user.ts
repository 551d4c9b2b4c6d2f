import type { DesktopPlatform } from '#events';
import type { ProvisionPhoneUser } from '../account/account.commands.js';

/**
 * Provisions a phone user every delegation rule lets take part, as command histories (replay
 * workloads, read-side specs) provision their delegators and delegates: a calling plan (R2) and the
 * Assistant enabled on a supported desktop client recent enough for it (R4). One builder, so that a
 * rule tightened on what a delegate needs is met by every history at once.
 */
export const delegationReadyUser = (
  actor: string,
  partyId: string,
  name: string,
  number: string,
  platform: DesktopPlatform,
): ProvisionPhoneUser => ({
  type: 'ProvisionPhoneUser',
  actor,
  partyId,
  name,
  directNumbers: [number],
  callingPlan: 'pro',
  powerPack: false,
  assistantEnabled: true,
  desktopClient: { platform, version: '6.2.0' },
});
