import type { Random } from './prng.js';

export const FLOWS = ['place', 'ring-answer', 'hold-pickup', 'transfer', 'voicemail'] as const;
export type FlowName = (typeof FLOWS)[number];

export type Mix = readonly { readonly flow: FlowName; readonly weight: number }[];

export const DEFAULT_MIX = 'place=3,ring-answer=4,hold-pickup=1,transfer=1,voicemail=1';

const MIX_FORM = 'flow=weight pairs, e.g. place=3,ring-answer=4';

/**
 * `place=3,ring-answer=4`: relative weights; flows left out never run. Every flow names its weight:
 * a bare `place` ran with a weight of 1 that nobody wrote, and `place=` with one of 0. Each flow is
 * named once.
 */
export const parseMix = (text: string): Mix => {
  const mix = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^([^=]*)=(.*)$/.exec(part);
      if (!match) throw new Error(`"${part}" in the mix has no weight: write ${MIX_FORM}`);
      const name = match[1]!.trim();
      const weightText = match[2]!.trim();
      if (!FLOWS.includes(name as FlowName)) {
        throw new Error(`unknown call flow "${name}" in the mix: choose from ${FLOWS.join(', ')}`);
      }
      if (!/^\d+(\.\d+)?$/.test(weightText)) {
        throw new Error(`weight of ${name} must be a number >= 0, not "${weightText}": write ${MIX_FORM}`);
      }
      return { flow: name as FlowName, weight: Number(weightText) };
    });
  // Two weights for one flow were added up, so the run followed a mix nobody wrote, and a typo in a
  // long mix went unseen.
  const repeated = mix.find((entry, index) => mix.findIndex((other) => other.flow === entry.flow) !== index);
  if (repeated) {
    throw new Error(
      `call flow "${repeated.flow}" is named twice in the mix "${text}": give each flow one weight`,
    );
  }
  if (mix.reduce((sum, entry) => sum + entry.weight, 0) <= 0) {
    throw new Error(`the mix "${text}" has no positive weight`);
  }
  return mix;
};

/** Picks a flow with probability weight / total, drawing one number. */
export const pickFlow = (mix: Mix, random: Random): FlowName => {
  const total = mix.reduce((sum, entry) => sum + entry.weight, 0);
  let point = random() * total;
  for (const entry of mix) {
    if (point < entry.weight) return entry.flow;
    point -= entry.weight;
  }
  // Floating-point rounding can leave `point` a hair above the last bucket.
  return mix.filter((entry) => entry.weight > 0).at(-1)!.flow;
};
